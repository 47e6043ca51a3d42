package org.trustfleet.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What {@link BatchedLoads} promises: keys queued meanwhile are loaded together, each answered, failures shared. */
class BatchedLoadsTest {
    private final List<Set<Integer>> batches = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstLoadStarted = new CountDownLatch(1);
    private final CountDownLatch releaseFirstLoad = new CountDownLatch(1);
    private BatchedLoads<Integer, String> loads;

    @AfterEach
    void close() {
        releaseFirstLoad.countDown();
        if (loads != null) {
            loads.close();
        }
    }

    /** Records each batch; the first one waits until released, so the test can queue keys behind it. */
    private Function<Set<Integer>, Map<Integer, String>> recording(Function<Set<Integer>, Map<Integer, String>> load) {
        return keys -> {
            batches.add(Set.copyOf(keys));
            if (batches.size() == 1) {
                firstLoadStarted.countDown();
                await(releaseFirstLoad);
            }
            return load.apply(keys);
        };
    }

    private static Map<Integer, String> evenOnes(Set<Integer> keys) {
        return keys.stream().filter(k -> k % 2 == 0).collect(Collectors.toMap(k -> k, k -> "v" + k));
    }

    @Test
    void keysQueuedWhileALoadRunsAreLoadedTogetherAndEachGetsItsValue() throws Exception {
        loads = new BatchedLoads<>("test-loads", 100, 100, recording(BatchedLoadsTest::evenOnes),
                () -> new IllegalStateException("refused"));
        CompletableFuture<String> first = loads.get(0);
        await(firstLoadStarted);
        List<CompletableFuture<String>> waiting = new ArrayList<>();
        for (int k = 1; k <= 6; k++) {
            waiting.add(loads.get(k));
        }
        waiting.add(loads.get(2)); // the same key twice in one batch: loaded once, both answered
        assertThat(waiting).noneMatch(CompletableFuture::isDone);
        releaseFirstLoad.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("v0");
        List<String> values = new ArrayList<>();
        for (CompletableFuture<String> f : waiting) {
            values.add(f.get(10, TimeUnit.SECONDS));
        }
        assertThat(values).containsExactly(null, "v2", null, "v4", null, "v6", "v2"); // absent keys: null
        assertThat(batches).containsExactly(Set.of(0), Set.of(1, 2, 3, 4, 5, 6));
    }

    @Test
    void aBatchHoldsAtMostTheBatchSize() throws Exception {
        loads = new BatchedLoads<>("test-loads", 3, 100, recording(BatchedLoadsTest::evenOnes),
                () -> new IllegalStateException("refused"));
        loads.get(0);
        await(firstLoadStarted);
        List<CompletableFuture<String>> waiting = new ArrayList<>();
        for (int k = 1; k <= 7; k++) {
            waiting.add(loads.get(k));
        }
        releaseFirstLoad.countDown();
        for (CompletableFuture<String> f : waiting) {
            f.get(10, TimeUnit.SECONDS);
        }
        assertThat(batches).containsExactly(Set.of(0), Set.of(1, 2, 3), Set.of(4, 5, 6), Set.of(7));
    }

    @Test
    void aFailedLoadFailsEveryKeyOfItsBatchAndTheNextBatchIsLoaded() throws Exception {
        IllegalStateException broken = new IllegalStateException("the database is down");
        loads = new BatchedLoads<>("test-loads", 100, 100, recording(keys -> {
            if (keys.contains(1)) {
                throw broken;
            }
            return evenOnes(keys);
        }), () -> new IllegalStateException("refused"));
        loads.get(0);
        await(firstLoadStarted);
        CompletableFuture<String> one = loads.get(1);
        CompletableFuture<String> two = loads.get(2);
        releaseFirstLoad.countDown();
        for (CompletableFuture<String> f : List.of(one, two)) {
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isSameAs(broken);
        }
        assertThat(loads.get(4).get(10, TimeUnit.SECONDS)).isEqualTo("v4");
    }

    @Test
    void aFullQueueRefusesAtOnce() throws Exception {
        IllegalStateException refused = new IllegalStateException("refused");
        loads = new BatchedLoads<>("test-loads", 100, 2, recording(BatchedLoadsTest::evenOnes), () -> refused);
        CompletableFuture<String> loading = loads.get(0);
        await(firstLoadStarted); // taken off the queue: two places free
        CompletableFuture<String> a = loads.get(2);
        CompletableFuture<String> b = loads.get(4);
        CompletableFuture<String> c = loads.get(6);
        assertThat(c).isCompletedExceptionally();
        assertThatThrownBy(c::join).cause().isSameAs(refused);
        releaseFirstLoad.countDown();
        assertThat(List.of(loading.get(10, TimeUnit.SECONDS), a.get(10, TimeUnit.SECONDS),
                b.get(10, TimeUnit.SECONDS))).containsExactly("v0", "v2", "v4");
    }

    @Test
    void closingLoadsWhatIsQueuedAndRefusesLaterKeys() throws Exception {
        IllegalStateException refused = new IllegalStateException("closed");
        loads = new BatchedLoads<>("test-loads", 100, 100, recording(BatchedLoadsTest::evenOnes), () -> refused);
        loads.get(0);
        await(firstLoadStarted);
        CompletableFuture<String> queued = loads.get(8);
        Thread closing = Thread.ofPlatform().start(loads::close);
        releaseFirstLoad.countDown();
        closing.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("v8");
        CompletableFuture<String> late = loads.get(10);
        assertThat(late).isCompletedExceptionally();
        assertThatThrownBy(late::join).cause().isSameAs(refused);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("timed out waiting for the load");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
