package org.trustfleet.scan;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Shared daemon threads for watchdogs and bounded DNS look-ups, so no probe can pin a caller thread past its deadline. */
final class ScanThreads {

    /** Closes sockets whose hard deadline passed; tasks are tiny, one thread is plenty. */
    static final ScheduledExecutorService WATCHDOG;

    /** Runs blocking InetAddress look-ups so the caller can give up after a timeout. */
    static final ExecutorService DNS = Executors.newCachedThreadPool(daemon("trustfleet-scan-dns"));

    static {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, daemon("trustfleet-scan-watchdog"));
        // Cancelled watchdogs are the common case; without this they pile up until their delay elapses.
        executor.setRemoveOnCancelPolicy(true);
        executor.setKeepAliveTime(30, TimeUnit.SECONDS);
        WATCHDOG = executor;
    }

    private ScanThreads() {
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
