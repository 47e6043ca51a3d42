package org.trustfleet.cache;

import com.github.benmanes.caffeine.cache.Cache;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A named, bounded in-memory cache: the only kind of cache this code base keeps (built by {@link Caches}), so that
 * every cache has a size limit (kept by Caffeine's eviction, or for an {@link Caches#admissionBounded
 * admission-bounded} cache by adding no new key while it is full), and a name in the metrics
 * ({@code cache_size{cache="…"}}, {@code cache_gets_total}, …). Thread-safe; {@code get} never blocks.
 *
 * @param <K> key type (with value semantics)
 * @param <V> value type
 */
public final class BoundedCache<K, V> {
    /** The admission limit of a cache that Caffeine bounds by evicting: none. */
    static final long EVICTING = Long.MAX_VALUE;
    private final String name;
    private final Cache<K, V> cache;
    /** Most entries before new keys are refused ({@link Caches#admissionBounded}), or {@link #EVICTING}. */
    private final long admissionLimit;

    BoundedCache(String name, Cache<K, V> cache, long admissionLimit) {
        this.name = name;
        this.cache = cache;
        this.admissionLimit = admissionLimit;
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
        if (admits()) {
            return cache.get(key, load);
        }
        V cached = cache.getIfPresent(key);
        return cached != null ? cached : load.apply(key);
    }

    /**
     * The cached values of {@code keys}, with those not cached loaded by one call of {@code load} (given the keys
     * missing, it returns the values it found; keys it leaves out stay absent from the answer and the cache).
     */
    public Map<K, V> getAll(Collection<? extends K> keys,
            Function<? super Set<? extends K>, ? extends Map<? extends K, ? extends V>> load) {
        if (admits()) {
            return cache.getAll(keys, load);
        }
        Map<K, V> found = new HashMap<>(cache.getAllPresent(keys));
        Set<K> missing = new HashSet<>(keys);
        missing.removeAll(found.keySet());
        if (!missing.isEmpty()) {
            found.putAll(load.apply(missing));
        }
        return found;
    }

    /** Puts the value; into an admission-bounded cache that is full, only if the key already has one. */
    public void put(K key, V value) {
        if (admits()) {
            cache.put(key, value);
        } else {
            cache.asMap().computeIfPresent(key, (k, old) -> value);
        }
    }

    /** Puts the value unless the key has one or the cache admits no new key; whether it was put. */
    public boolean addIfAbsent(K key, V value) {
        return admits() && cache.asMap().putIfAbsent(key, value) == null;
    }

    public void putAll(Map<? extends K, ? extends V> values) {
        values.forEach(this::put);
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

    /**
     * Whether a new key may be added: always for an evicting cache; for an admission-bounded one while it holds fewer
     * entries than its limit. Expired entries count until Caffeine's scheduler removes them: a refusal does not clean
     * up itself, because a full cache refuses every new key, and would clean up at every one.
     */
    private boolean admits() {
        return admissionLimit == EVICTING || cache.estimatedSize() < admissionLimit;
    }

    /** The number of entries once pending evictions have run. */
    public long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
