package org.trustfleet.scan;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Admits the scheduled scans of endpoints known to be silent ({@link Responsiveness#SILENT}). Quartz fires them first
 * when a fleet is due at once ({@link ScanScheduler}); admitted all at once they would hold most sockets for a
 * handshake timeout while the rest of the fleet waited. So they run at most {@code share} at once while anything
 * else is being probed, and beyond that, up to {@code ceiling}, only once nothing else has started for
 * {@code quiet} (a handshake timeout: the rest of the sweep is done, and nothing is left for them to delay). A scan
 * that has to wait does so aside from Quartz's worker pool ({@link VirtualThreadPool#waitAside}), so the rest of the
 * fleet keeps being fired meanwhile.
 */
final class SilentScanGate {
    /** Whether the current thread runs a silent scan (its probes do not count as other activity). */
    private static final ThreadLocal<Boolean> IN_SILENT_SCAN = new ThreadLocal<>();
    /** How often a waiting scan checks whether the others have gone quiet (at most). */
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final int share;
    private final int ceiling;
    private final long quietNanos;
    private final LongSupplier nanoTime;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int running;
    private int waiting;
    /** {@link #nanoTime} of the latest probe start outside silent scans, or silent scan arrival. */
    private volatile long lastActivity;

    SilentScanGate(int share, int ceiling, Duration quiet, LongSupplier nanoTime) {
        if (share < 1) {
            throw new IllegalArgumentException("trustfleet.scanner.max-silent-scans must be at least 1");
        }
        this.share = share;
        this.ceiling = Math.max(share, ceiling);
        this.quietNanos = quiet.toNanos();
        this.nanoTime = nanoTime;
        this.lastActivity = nanoTime.getAsLong();
    }

    /** Notes that a probe outside silent scans starts (called on every probe; a silent scan's own are ignored). */
    void probeStarts() {
        if (IN_SILENT_SCAN.get() == null) {
            lastActivity = nanoTime.getAsLong();
        }
    }

    /** Runs a silent endpoint's scan once admitted. */
    <T> T run(Supplier<T> work) {
        lastActivity = nanoTime.getAsLong();
        if (!enter(false)) {
            VirtualThreadPool.waitAside(() -> enter(true));
        }
        IN_SILENT_SCAN.set(Boolean.TRUE);
        try {
            return work.get();
        } finally {
            IN_SILENT_SCAN.remove();
            leave();
        }
    }

    /** Silent scans waiting to be admitted now (a gauge). */
    int waiting() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }

    /** Silent scans admitted now (a gauge). */
    int running() {
        lock.lock();
        try {
            return running;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes a place: within the share at once; a scan that waits ({@code wait}) also beyond it, up to the ceiling,
     * once the others are quiet. Without {@code wait}, returns false instead of waiting.
     */
    private boolean enter(boolean wait) {
        boolean interrupted = false;
        lock.lock();
        try {
            if (wait) {
                waiting++;
            }
            while (running >= share && !(wait && running < ceiling && quiet())) {
                if (!wait) {
                    return false;
                }
                try {
                    changed.awaitNanos(Math.min(RECHECK_NANOS, Math.max(1, quietNanos / 4)));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (wait) {
                waiting--;
            }
            running++;
            return true;
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean quiet() {
        return nanoTime.getAsLong() - lastActivity >= quietNanos;
    }

    private void leave() {
        lock.lock();
        try {
            running--;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }
}
