package org.trustfleet.cache;

import com.github.benmanes.caffeine.cache.Cache;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

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
    /** The expiry the values carry themselves ({@link Caches#admissionBounded}), or null (Caffeine's, if any). */
    private final ValueExpiry<? super V> expiry;
    /** The clock's epoch second from which a pass may drop the expired entries (with {@link #expiry} only). */
    private volatile long nextPurgeSecond;

    BoundedCache(String name, Cache<K, V> cache, long admissionLimit) {
        this(name, cache, admissionLimit, null);
    }

    BoundedCache(String name, Cache<K, V> cache, long admissionLimit, ValueExpiry<? super V> expiry) {
        this.name = name;
        this.cache = cache;
        this.admissionLimit = admissionLimit;
        this.expiry = expiry;
    }

    /**
     * An expiry kept in the values: each value tells the epoch second ({@code clock}'s) it was written, and it is
     * expired {@code ttl} after it (to the second). Read at every get; the expired entries no get meets are dropped
     * by a pass over the cache at most once per {@link #purgeInterval()}, when the size is asked or a full cache
     * refuses a key.
     */
    record ValueExpiry<V>(Clock clock, Duration ttl, ToLongFunction<? super V> writtenAtSecond) {
        long nowSecond() {
            return Math.floorDiv(clock.millis(), 1000);
        }

        boolean expired(V value, long nowSecond) {
            return nowSecond - writtenAtSecond.applyAsLong(value) >= Math.max(ttl.toSeconds(), 0);
        }

        /** A sixteenth of the time to live, at least a second: room held by expired entries is freed that late. */
        long purgeInterval() {
            return Math.max(1, ttl.toSeconds() / 16);
        }
    }

    /** The cache's name, as in the metrics. */
    public String name() {
        return name;
    }

    /** The cached value, or {@code null}; a hit counts as a use. */
    public V get(K key) {
        return live(key, cache.getIfPresent(key));
    }

    /** {@code value} (the key's), or null if it is null or expired, then dropped. */
    private V live(K key, V value) {
        if (value == null || expiry == null || !expired(value, expiry)) {
            return value;
        }
        cache.asMap().remove(key, value);
        return null;
    }

    private static <V> boolean expired(V value, ValueExpiry<? super V> expiry) {
        return expiry.expired(value, expiry.nowSecond());
    }

    /**
     * The cached value, or the one {@code load} computes (and is remembered unless it is {@code null}). Concurrent
     * callers for the same key wait for one computation, so {@code load} should be short.
     */
    public V get(K key, Function<? super K, ? extends V> load) {
        if (expiry != null) {
            V cached = get(key);
            if (cached != null) {
                return cached;
            }
        }
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
        if (expiry == null && admits()) {
            return cache.getAll(keys, load);
        }
        Map<K, V> found = new HashMap<>();
        cache.getAllPresent(keys).forEach((k, v) -> {
            if (live(k, v) != null) {
                found.put(k, v);
            }
        });
        Set<K> missing = new HashSet<>(keys);
        missing.removeAll(found.keySet());
        if (!missing.isEmpty()) {
            Map<? extends K, ? extends V> loaded = load.apply(missing);
            found.putAll(loaded);
            if (expiry != null) {
                loaded.forEach(this::addIfAbsent);
            }
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

    /** Puts the value unless the key has one (not expired) or the cache admits no new key; whether it was put. */
    public boolean addIfAbsent(K key, V value) {
        if (!admits()) {
            return false;
        }
        V held = cache.asMap().putIfAbsent(key, value);
        return held == null || expiry != null && expired(held, expiry) && cache.asMap().replace(key, held, value);
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
     * entries than its limit. Expired entries count until a get meets them or a pass drops them: a full cache
     * refuses every new key, so a refusal runs a pass only once per purge interval, not at every key.
     */
    private boolean admits() {
        if (admissionLimit == EVICTING || cache.estimatedSize() < admissionLimit) {
            return true;
        }
        return purgeIfDue() && cache.estimatedSize() < admissionLimit;
    }

    /**
     * Drops the expired entries, if the values carry their expiry and the last pass was a purge interval ago;
     * whether it did.
     */
    private boolean purgeIfDue() {
        if (expiry == null) {
            return false;
        }
        long now = expiry.nowSecond();
        if (now < nextPurgeSecond) {
            return false;
        }
        nextPurgeSecond = now + expiry.purgeInterval();
        cache.asMap().values().removeIf(v -> expiry.expired(v, now));
        return true;
    }

    /** The sum of the entries' weights, for a {@link Caches#weighted weighted} cache (0 for others). */
    public long weightedSize() {
        return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }

    /** The number of entries once pending evictions (and a due pass over expired entries) have run. */
    public long size() {
        purgeIfDue();
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
