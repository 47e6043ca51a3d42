package org.trustfleet.cache;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Loads into a cache one key at a time and keeps a loaded value only if it is still current: no invalidation of its
 * key, and no invalidation of everything, arrived while it was loaded. Invalidations of other keys do not matter,
 * which is the point: while many keys change (every group in a store change), a key's value still gets kept.
 *
 * <p>Not the cache's own atomic compute: a load may commit a transaction whose invalidations reach this replica's
 * subscribers on the loading thread, and a cache cannot be changed from inside its own compute of the same key.
 * Holds one lock and one counter per key ever loaded (a device group: bounded by the groups that exist).
 *
 * @param <K> key type (with value semantics)
 */
public final class KeyedLoads<K> {

    private final Map<K, AtomicLong> invalidations = new ConcurrentHashMap<>();
    private final AtomicLong wideInvalidations = new AtomicLong();

    /**
     * What is current for the key: {@code cached} if it answers (non-null), otherwise {@code load}'s value, handed to
     * {@code keep} unless an invalidation of the key (or of everything) arrived while it was loaded. Callers for the
     * same key wait for one another, so a second caller usually finds the first one's value in {@code cached}.
     */
    public <V> V get(K key, Supplier<V> cached, Supplier<V> load, Consumer<V> keep) {
        AtomicLong count = counter(key);
        synchronized (count) {
            V hit = cached.get();
            if (hit != null) {
                return hit;
            }
            Stamp stamp = new Stamp(count, count.get(), wideInvalidations.get());
            V loaded = load.get();
            if (current(stamp)) {
                keep.accept(loaded);
            }
            return loaded;
        }
    }

    /**
     * For a value of the key loaded elsewhere (no waiting for other loads): take a stamp before reading what the
     * value is made of, and keep the value only if {@link #current} says so afterwards.
     */
    public Stamp stamp(K key) {
        AtomicLong count = counter(key);
        return new Stamp(count, count.get(), wideInvalidations.get());
    }

    /** Whether no invalidation of the stamp's key, nor of everything, arrived since it was taken. */
    public boolean current(Stamp stamp) {
        return stamp.counter.get() == stamp.count && wideInvalidations.get() == stamp.wide;
    }

    private AtomicLong counter(K key) {
        return invalidations.computeIfAbsent(key, k -> new AtomicLong());
    }

    /** The key's value changed: a load of it under way is not kept (call it besides dropping the cache entry). */
    public void invalidated(K key) {
        AtomicLong count = invalidations.get(key);
        if (count != null) {
            count.incrementAndGet();
        }
    }

    /** Values of many or all keys changed: no load under way is kept. */
    public void invalidatedAll() {
        wideInvalidations.incrementAndGet();
    }

    /** When a load began: what {@link #current} compares with. */
    public static final class Stamp {
        private final AtomicLong counter;
        private final long count;
        private final long wide;

        private Stamp(AtomicLong counter, long count, long wide) {
            this.counter = counter;
            this.count = count;
            this.wide = wide;
        }
    }
}
