package org.trustfleet.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Loads keys a batch at a time: a caller queues a key and gets a future, and one thread takes whatever has queued
 * (up to the batch size) and loads it with one call. For lookups that arrive by the thousand per second, such as
 * device tokens a replica has not cached, where one query each would spend a worker thread and a database round trip
 * per key: while one batch is loaded, the next one fills, so the batches grow with the load and a lone key waits for
 * one load only.
 *
 * <p>Keeps nothing: what a load returns goes to the futures of its keys, and the load itself puts it wherever it is
 * kept (with whatever care for concurrent invalidations that needs). The queue is bounded; a key offered to a full
 * queue, or after {@link #close}, fails at once with the caller's exception.
 *
 * @param <K> key type (with value semantics: equal keys in one batch are loaded once)
 * @param <V> value type; a key the load leaves out of its map completes with {@code null}
 */
public final class BatchedLoads<K, V> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BatchedLoads.class);

    private record Pending<K, V>(K key, CompletableFuture<V> value) {}

    private final Function<Set<K>, Map<K, V>> load;
    private final Supplier<RuntimeException> refused;
    private final int batchSize;
    private final BlockingQueue<Pending<K, V>> queue;
    private final Thread loader;
    private volatile boolean closed;

    /**
     * @param name      the loading thread's name
     * @param load      loads a batch of distinct keys into a map (never null); may block; what it throws fails
     *                  every key of the batch
     * @param refused   the failure of a key offered to a full queue or after {@link #close}
     */
    public BatchedLoads(String name, int batchSize, int queueCapacity, Function<Set<K>, Map<K, V>> load,
            Supplier<RuntimeException> refused) {
        if (batchSize < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("the batch size and queue capacity must be at least 1");
        }
        this.load = load;
        this.refused = refused;
        this.batchSize = batchSize;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.loader = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
        loader.start();
    }

    /** The key's value once its batch is loaded (null when the load found none), or the load's failure. */
    public CompletableFuture<V> get(K key) {
        Pending<K, V> pending = new Pending<>(key, new CompletableFuture<>());
        if (closed || !queue.offer(pending)) {
            pending.value().completeExceptionally(refused.get());
        }
        return pending.value();
    }

    /** Loads what is queued, then stops the thread; later keys are refused. */
    @Override
    public void close() {
        closed = true;
        try {
            loader.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // a key queued while the thread was finishing is answered, not left waiting
        List<Pending<K, V>> late = new ArrayList<>();
        queue.drainTo(late);
        late.forEach(p -> p.value().completeExceptionally(refused.get()));
    }

    private void run() {
        while (!closed || !queue.isEmpty()) {
            List<Pending<K, V>> batch = new ArrayList<>();
            try {
                Pending<K, V> first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, batchSize - 1);
                Set<K> keys = new LinkedHashSet<>();
                batch.forEach(p -> keys.add(p.key()));
                Map<K, V> loaded = load.apply(keys);
                batch.forEach(p -> p.value().complete(loaded.get(p.key())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(batch, new IllegalStateException("the loading thread was stopped", e));
                return;
            } catch (RuntimeException | Error e) {
                LOG.debugf("Loading %d keys failed: %s", batch.size(), e.toString());
                fail(batch, e);
            }
        }
    }

    private static <K, V> void fail(List<Pending<K, V>> batch, Throwable failure) {
        RuntimeException e = failure instanceof RuntimeException r ? r : new CompletionException(failure);
        batch.forEach(p -> p.value().completeExceptionally(e));
    }
}
