package org.trustfleet.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Quartz's worker pool on virtual threads: jobs run on virtual threads, and admission stops at the pool size. */
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
}
