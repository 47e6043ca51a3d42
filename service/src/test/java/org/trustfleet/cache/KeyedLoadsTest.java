package org.trustfleet.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class KeyedLoadsTest {

    private final KeyedLoads<String> loads = new KeyedLoads<>();
    private final List<String> kept = new ArrayList<>();

    @Test
    void aLoadIsKeptUnlessItsKeyOrEverythingWasInvalidatedMeanwhile() {
        assertThat(loads.get("a", () -> null, () -> "a1", kept::add)).isEqualTo("a1");
        // invalidations arrive on the loading thread too: a load that commits hears of its own commit
        assertThat(loads.get("a", () -> null, () -> {
            loads.invalidated("a");
            return "a2";
        }, kept::add)).isEqualTo("a2");
        assertThat(loads.get("a", () -> null, () -> {
            loads.invalidated("b");
            return "a3";
        }, kept::add)).isEqualTo("a3");
        assertThat(loads.get("a", () -> null, () -> {
            loads.invalidatedAll();
            return "a4";
        }, kept::add)).isEqualTo("a4");
        // a key never loaded: nothing to count, and its first load is kept
        loads.invalidated("never");
        assertThat(loads.get("never", () -> null, () -> "n1", kept::add)).isEqualTo("n1");

        assertThat(kept).containsExactly("a1", "a3", "n1");
    }

    @Test
    void aStampTakenBeforeALoadElsewhereTellsWhetherItIsStillCurrent() {
        KeyedLoads.Stamp a = loads.stamp("a");
        loads.invalidated("b");
        assertThat(loads.current(a)).isTrue();
        loads.invalidated("a");
        assertThat(loads.current(a)).isFalse();
        KeyedLoads.Stamp again = loads.stamp("a");
        assertThat(loads.current(again)).isTrue();
        loads.invalidatedAll();
        assertThat(loads.current(again)).isFalse();
    }

    @Test
    void whatIsCachedAnswersWithoutALoad() {
        AtomicInteger calls = new AtomicInteger();
        assertThat(loads.get("a", () -> "cached", () -> "loaded" + calls.incrementAndGet(), kept::add))
                .isEqualTo("cached");
        assertThat(calls).hasValue(0);
        assertThat(kept).isEmpty();
    }

    @Test
    void callersForOneKeyWaitForOneLoad() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        List<String> cache = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> first = pool.submit(() -> loads.get("a", () -> cache.isEmpty() ? null : cache.get(0),
                    () -> {
                        calls.incrementAndGet();
                        loading.countDown();
                        await(release);
                        return "loaded";
                    }, cache::add));
            assertThat(loading.await(60, TimeUnit.SECONDS)).isTrue();
            AtomicReference<String> secondGot = new AtomicReference<>();
            Thread second = new Thread(() -> secondGot.set(loads.get("a", () -> cache.isEmpty() ? null : cache.get(0),
                    () -> "loaded again " + calls.incrementAndGet(), cache::add)));
            second.start();
            // it waits for the first load (without the lock it would load itself and be done: the checks below fail)
            while (second.getState() == Thread.State.NEW || second.getState() == Thread.State.RUNNABLE) {
                Thread.sleep(1);
            }
            release.countDown();
            assertThat(first.get(60, TimeUnit.SECONDS)).isEqualTo("loaded");
            second.join(60_000);
            assertThat(secondGot).hasValue("loaded");
            assertThat(calls).hasValue(1);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
