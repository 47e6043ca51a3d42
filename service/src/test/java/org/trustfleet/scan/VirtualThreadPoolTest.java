package org.trustfleet.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Quartz's worker pool on virtual threads: jobs run on virtual threads, admission stops at the pool size, and only a
 * few jobs at once are in Quartz's after-job bookkeeping.
 */
class VirtualThreadPoolTest {

    @Test
    void runsJobsOnVirtualThreadsAndAdmitsNoMoreThanThePoolSize() throws Exception {
        VirtualThreadPool pool = new VirtualThreadPool();
        pool.setThreadCount(3);
        pool.initialize();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger virtual = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            assertThat(pool.runInThread(() -> {
                if (Thread.currentThread().isVirtual()) {
                    virtual.incrementAndGet();
                }
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            })).isTrue();
        }
        assertThat(pool.running()).isEqualTo(3);
        // Quartz's scheduler thread asks for a free slot before it acquires a trigger: none until a job ends
        AtomicBoolean slotFree = new AtomicBoolean();
        Thread scheduler = Thread.ofPlatform().start(() -> {
            pool.blockForAvailableThreads();
            slotFree.set(true);
        });
        assertThat(slotFree.get()).isFalse();
        release.countDown();
        scheduler.join(Duration.ofSeconds(30));
        assertThat(slotFree.get()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.running() == 0);
        assertThat(virtual.get()).isEqualTo(3);
        pool.shutdown(true);
        assertThat(pool.runInThread(() -> { })).isFalse();
    }

    @Test
    void atMostAFewJobsAreInTheirBookkeepingTurnAtOnce() throws Exception {
        VirtualThreadPool pool = new VirtualThreadPool();
        pool.setThreadCount(10);
        pool.initialize();
        int jobs = VirtualThreadPool.BOOKKEEPING_AT_ONCE + 3;
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger inTurn = new AtomicInteger();
        AtomicInteger mostInTurn = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        for (int i = 0; i < jobs; i++) {
            assertThat(pool.runInThread(() -> {
                // as ScanJob ends: the bookkeeping (here: waiting for the release) follows the turn
                VirtualThreadPool.awaitBookkeepingTurn();
                VirtualThreadPool.awaitBookkeepingTurn(); // a second call takes no second turn
                mostInTurn.accumulateAndGet(inTurn.incrementAndGet(), Math::max);
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inTurn.decrementAndGet();
                done.incrementAndGet();
            })).isTrue();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.inBookkeeping() == VirtualThreadPool.BOOKKEEPING_AT_ONCE
                && inTurn.get() == VirtualThreadPool.BOOKKEEPING_AT_ONCE);
        // the others wait for a turn (without having started their bookkeeping)
        assertThat(pool.running()).isEqualTo(jobs);
        assertThat(done.get()).isZero();
        release.countDown();
        // each job's turn ends with its run, so every job gets one
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.running() == 0);
        assertThat(done.get()).isEqualTo(jobs);
        assertThat(mostInTurn.get()).isEqualTo(VirtualThreadPool.BOOKKEEPING_AT_ONCE);
        assertThat(pool.inBookkeeping()).isZero();
        // a thread the pool did not start (a job run directly) takes no turn
        VirtualThreadPool.awaitBookkeepingTurn();
        assertThat(pool.inBookkeeping()).isZero();
        pool.shutdown(true);
    }

    @Test
    void aJobWaitingAsideGivesItsSlotToAnotherAndShutdownWaitsForIt() throws Exception {
        VirtualThreadPool pool = new VirtualThreadPool();
        pool.setThreadCount(1);
        pool.initialize();
        CountDownLatch otherLimit = new CountDownLatch(1);
        CountDownLatch secondRan = new CountDownLatch(1);
        AtomicBoolean firstDone = new AtomicBoolean();
        assertThat(pool.runInThread(() -> {
            VirtualThreadPool.waitAside(() -> {
                try {
                    otherLimit.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            firstDone.set(true);
        })).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.aside() == 1);
        // the only slot is free while the first job waits for a limit the pool does not know about
        assertThat(pool.running()).isZero();
        assertThat(pool.runInThread(secondRan::countDown)).isTrue();
        assertThat(secondRan.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        Thread shutdown = Thread.ofPlatform().start(() -> pool.shutdown(true));
        shutdown.join(Duration.ofMillis(300));
        assertThat(shutdown.isAlive()).as("shutdown waits for the job waiting aside").isTrue();
        otherLimit.countDown();
        shutdown.join(Duration.ofSeconds(30));
        assertThat(shutdown.isAlive()).isFalse();
        assertThat(firstDone.get()).isTrue();
        assertThat(pool.running() + pool.aside()).isZero();
    }

    @Test
    void waitingAsideOffThePoolJustWaits() {
        AtomicBoolean waited = new AtomicBoolean();
        VirtualThreadPool.waitAside(() -> waited.set(true));
        assertThat(waited.get()).isTrue();
    }
}
