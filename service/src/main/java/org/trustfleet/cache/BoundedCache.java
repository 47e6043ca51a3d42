package org.trustfleet.cache;

import com.github.benmanes.caffeine.cache.Cache;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A named, bounded in-memory cache: the only kind of cache this code base keeps (built by {@link Caches}), so that
 * every cache has a size limit, an eviction policy that is not hand-written, and a name in the metrics
 * ({@code cache_size{cache="…"}}, {@code cache_gets_total}, …). Thread-safe; {@code get} never blocks.
 *
 * @param <K> key type (with value semantics)
 * @param <V> value type
 */
public final class BoundedCache<K, V> {
    private final String name;
    private final Cache<K, V> cache;

    BoundedCache(String name, Cache<K, V> cache) {
        this.name = name;
        this.cache = cache;
    }

    /** The cache's name, as in the metrics. */
    public String name() {
        return name;
    }

    /** The cached value, or {@code null}; a hit counts as a use. */
    public V get(K key) {
        return cache.getIfPresent(key);
    }

    /**
     * The cached value, or the one {@code load} computes (and is remembered unless it is {@code null}). Concurrent
     * callers for the same key wait for one computation, so {@code load} should be short.
     */
    public V get(K key, Function<? super K, ? extends V> load) {
        return cache.get(key, load);
    }

    /**
     * The cached values of {@code keys}, with those not cached loaded by one call of {@code load} (given the keys
     * missing, it returns the values it found; keys it leaves out stay absent from the answer and the cache).
     */
    public Map<K, V> getAll(Collection<? extends K> keys,
            Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> load) {
        return cache.getAll(keys, load);
    }

    public void put(K key, V value) {
        cache.put(key, value);
    }

    public void putAll(Map<? extends K, ? extends V> values) {
        cache.putAll(values);
    }

    public void invalidate(K key) {
        cache.invalidate(key);
    }

    public void invalidateAll(Set<? extends K> keys) {
        cache.invalidateAll(keys);
    }

    /** Drops every entry whose value matches (one pass over the cache: for rare, wide invalidations). */
    public void invalidateIf(Predicate<? super V> matches) {
        cache.asMap().values().removeIf(matches);
    }

    public void invalidateAll() {
        cache.invalidateAll();
    }

    /** The number of entries once pending evictions have run. */
    public long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
