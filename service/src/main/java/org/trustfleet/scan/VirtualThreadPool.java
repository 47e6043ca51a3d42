package org.trustfleet.scan;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.quartz.SchedulerConfigException;
import org.quartz.spi.ThreadPool;

/**
 * Quartz's worker pool on virtual threads ({@code quarkus.quartz.thread-pool-class}). A scheduled scan spends most of
 * its time waiting on the network; on a virtual thread that wait costs a few kilobytes, not a platform thread, so
 * the pool can admit hundreds of scans ({@code quarkus.quartz.thread-count}) while the sockets and the CPU work are
 * limited apart ({@link ScanLimits}). Quartz acquires a trigger only when a slot is free: a firing not admitted
 * stays in the job store and runs when a slot frees (past the misfire threshold it runs late, see ScanScheduler).
 * The job still runs inside Quartz's execution, so a replica that dies mid-scan leaves the firing to be recovered
 * by another ({@code requestRecovery}).
 *
 * <p>Quartz's bookkeeping after a job (the clustered store's {@code triggeredJobComplete}) takes the job store's one
 * cluster-wide row lock, {@code TRIGGER_ACCESS}, on a connection of the service's pool, like the scheduler thread
 * that acquires and fires the next triggers. With hundreds of scans ending together, every one of them waited in the
 * lock's queue holding a pooled connection, and the scheduler thread queued behind all of them (a CPU profile of a
 * sweep: most of the scan threads' waiting was on that lock): firing slowed down as more scans were in flight. A job
 * that calls {@link #awaitBookkeepingTurn()} as its last step therefore waits, without a connection, until at most
 * {@link #BOOKKEEPING_AT_ONCE} jobs of this pool are in that bookkeeping; the lock is serial anyway, so this costs
 * no throughput and keeps the scheduler thread's wait short.
 *
 * <p>A job that must wait for a limit the pool does not know about (the scans of endpoints known to be silent, see
 * {@link ScanLimits#silentScan}) waits through {@link #waitAside}: meanwhile it does not count against the pool, so
 * Quartz keeps firing other triggers. Such jobs are counted apart, and shutdown waits for them as well.
 */
public class VirtualThreadPool implements ThreadPool {
    /** Jobs of one pool in Quartz's after-job bookkeeping at once (each holds a pooled connection meanwhile). */
    static final int BOOKKEEPING_AT_ONCE = 2;
    /** The pool that runs the current job thread, or unset on other threads. */
    private static final ThreadLocal<VirtualThreadPool> CURRENT = new ThreadLocal<>();
    /** Whether the current job thread holds a bookkeeping permit (released when the job's run ends). */
    private static final ThreadLocal<Boolean> IN_BOOKKEEPING = new ThreadLocal<>();

    private final Semaphore bookkeeping = new Semaphore(BOOKKEEPING_AT_ONCE, true);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicLong started = new AtomicLong();
    private int threadCount = 10;
    private int running;
    /** Jobs of this pool waiting aside ({@link #waitAside}): not counted in {@link #running}. */
    private int aside;
    private boolean shutdown;
    private String instanceName = "quartz";
    private ClassLoader contextLoader;

    /** Set by Quartz from {@code org.quartz.threadPool.threadCount}. */
    public void setThreadCount(int threadCount) {
        this.threadCount = threadCount;
    }

    /** Set by Quartz from {@code org.quartz.threadPool.threadPriority}; virtual threads have one priority. */
    public void setThreadPriority(int priority) {
        // ignored
    }

    @Override
    public boolean runInThread(Runnable runnable) {
        lock.lock();
        try {
            while (running >= threadCount && !shutdown) {
                changed.awaitUninterruptibly();
            }
            if (shutdown) {
                return false;
            }
            running++;
        } finally {
            lock.unlock();
        }
        try {
            Thread.ofVirtual().name(instanceName + "-scan-" + started.incrementAndGet()).start(() -> {
                Thread.currentThread().setContextClassLoader(contextLoader);
                CURRENT.set(this);
                try {
                    runnable.run();
                } finally {
                    if (IN_BOOKKEEPING.get() != null) {
                        IN_BOOKKEEPING.remove();
                        bookkeeping.release();
                    }
                    CURRENT.remove();
                    finished();
                }
            });
        } catch (RuntimeException | Error e) {
            finished();
            throw e;
        }
        return true;
    }

    /**
     * Called by a job as its last step: waits until its pool has fewer than {@link #BOOKKEEPING_AT_ONCE} jobs in
     * Quartz's after-job bookkeeping, and holds the turn until the job's run ends. Does nothing on a thread this pool
     * did not start (tests that run a job directly) or when called twice.
     */
    public static void awaitBookkeepingTurn() {
        VirtualThreadPool pool = CURRENT.get();
        if (pool == null || IN_BOOKKEEPING.get() != null) {
            return;
        }
        pool.bookkeeping.acquireUninterruptibly();
        IN_BOOKKEEPING.set(Boolean.TRUE);
    }

    /**
     * Runs {@code wait} (a blocking wait for some other limit) with the current job's slot given back to its pool, so
     * that Quartz can fire another job meanwhile, and takes the slot back afterwards without waiting for it: the
     * pool may then run more jobs than its size, by at most the jobs that waited aside and resumed, which the other
     * limit bounds. On a thread this pool did not start (a job run directly by a test), just runs {@code wait}.
     */
    public static void waitAside(Runnable wait) {
        VirtualThreadPool pool = CURRENT.get();
        if (pool == null) {
            wait.run();
            return;
        }
        pool.stepAside();
        try {
            wait.run();
        } finally {
            pool.stepBack();
        }
    }

    private void stepAside() {
        lock.lock();
        try {
            running--;
            aside++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void stepBack() {
        lock.lock();
        try {
            aside--;
            running++;
        } finally {
            lock.unlock();
        }
    }

    /** Jobs waiting aside now (for tests). */
    int aside() {
        lock.lock();
        try {
            return aside;
        } finally {
            lock.unlock();
        }
    }

    /** Jobs in their bookkeeping turn now (for tests). */
    int inBookkeeping() {
        return BOOKKEEPING_AT_ONCE - bookkeeping.availablePermits();
    }

    private void finished() {
        lock.lock();
        try {
            running--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int blockForAvailableThreads() {
        lock.lock();
        try {
            while (running >= threadCount && !shutdown) {
                changed.awaitUninterruptibly();
            }
            return shutdown ? 0 : threadCount - running;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void initialize() throws SchedulerConfigException {
        if (threadCount < 1) {
            throw new SchedulerConfigException("thread count must be at least 1: " + threadCount);
        }
        // the threads Quartz would have made inherit the loader of the thread that initialised the scheduler
        contextLoader = Thread.currentThread().getContextClassLoader();
    }

    @Override
    public void shutdown(boolean waitForJobsToComplete) {
        lock.lock();
        try {
            shutdown = true;
            changed.signalAll();
            if (waitForJobsToComplete) {
                while (running + aside > 0) {
                    try {
                        changed.await(100, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int getPoolSize() {
        return threadCount;
    }

    @Override
    public void setInstanceId(String schedInstId) {
        // names come from the instance name
    }

    @Override
    public void setInstanceName(String schedName) {
        this.instanceName = schedName;
    }

    /** Jobs running now (for tests). */
    int running() {
        lock.lock();
        try {
            return running;
        } finally {
            lock.unlock();
        }
    }
}
