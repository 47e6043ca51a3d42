package org.trustfleet.cache;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * Builds every in-memory cache of the service (Caffeine underneath): bounded in size, optionally expiring after a
 * time measured on the injected {@link Clock} (so tests that move the clock move the expiry), and published as
 * Micrometer cache metrics under its name. Caches that must be dropped on other replicas too subscribe to the
 * {@link InvalidationFeed}.
 */
public final class Caches {
    private Caches() {}

    /** A cache of at most {@code maxEntries} entries, evicting the least valuable first (Caffeine's W-TinyLFU). */
    public static <K, V> BoundedCache<K, V> bounded(String name, long maxEntries) {
        return build(name, base(maxEntries));
    }

    /**
     * As {@link #bounded}, each entry expiring {@code ttl} after it was written (by {@code clock}), for a cache read
     * on the request hot path with many entries (device tokens): one fixed time-to-live needs no timer wheel, and
     * Caffeine's maintenance (reordering, eviction) runs on its own pool rather than on the reading thread, which on
     * the hot path is a Vert.x event loop. Sizes are therefore bounded eventually, not at the return of each call.
     */
    public static <K, V> BoundedCache<K, V> hotPath(String name, long maxEntries, Duration ttl, Clock clock) {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries must not be negative");
        }
        Caffeine<Object, Object> builder = Caffeine.newBuilder().maximumSize(maxEntries).recordStats()
                .ticker(ticker(clock)).expireAfterWrite(Duration.ofNanos(nanos(Objects.requireNonNull(ttl, "ttl"))));
        return build(name, builder);
    }

    /**
     * As {@link #hotPath}, but bounded by admission rather than by eviction: once it holds {@code maxEntries}
     * entries, a new key is not added until entries expire or are invalidated (a key it holds can still be
     * replaced). Its reads do no bookkeeping at all: Caffeine records reads only for a cache that evicts by size or
     * expires after access, and at a million entries read at random that bookkeeping (the frequency sketch and the
     * access order, on another core) cost more than the rest of a device's payload request (measured: 0.73x of nginx
     * against 0.99x, {@code bench/README.md}). For caches whose entries are about equally valuable (device tokens:
     * every device polls on the same interval), where evicting one entry to admit another would gain nothing.
     *
     * <p>Each value tells the epoch second (by {@code clock}) it was written, {@code writtenAtSecond}, and expires
     * {@code ttl} after it, to the second. The expiry is kept in the values rather than by Caffeine, whose cache
     * then is its plain map: Caffeine's expiry adds a node to every entry (40 bytes, and one more object for the
     * collector to mark at each cycle, a million in a fleet's token cache). A get drops an expired entry it meets;
     * the others are dropped by a pass over the cache at most once per sixteenth of {@code ttl}, when a full cache
     * refuses a key or the size is asked, so that room they hold is freed without a timer thread.
     */
    public static <K, V> BoundedCache<K, V> admissionBounded(String name, long maxEntries, Duration ttl,
            Clock clock, ToLongFunction<? super V> writtenAtSecond) {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries must not be negative");
        }
        BoundedCache.ValueExpiry<V> expiry = new BoundedCache.ValueExpiry<>(Objects.requireNonNull(clock, "clock"),
                Objects.requireNonNull(ttl, "ttl"), Objects.requireNonNull(writtenAtSecond, "writtenAtSecond"));
        com.github.benmanes.caffeine.cache.Cache<K, V> cache = Caffeine.newBuilder().recordStats().build();
        CaffeineCacheMetrics.monitor(Metrics.globalRegistry, cache, name);
        return new BoundedCache<>(name, cache, maxEntries, expiry);
    }

    /**
     * A cache bounded by the sum of its values' weights ({@code weight}, e.g. their size in bytes) rather than by
     * their number, for values of very different sizes or where the memory they hold is what must be bounded. Each
     * value leaving the cache (evicted, replaced or invalidated) is handed to {@code removed}, on the calling thread
     * once the call that removed it returns, so that a value holding memory outside the heap can free it then rather
     * than when the collector finds it.
     */
    public static <K, V> BoundedCache<K, V> weighted(String name, long maxWeight, ToIntFunction<? super V> weight,
            Consumer<? super V> removed) {
        if (maxWeight < 0) {
            throw new IllegalArgumentException("maxWeight must not be negative");
        }
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(removed, "removed");
        return build(name, Caffeine.newBuilder().maximumWeight(maxWeight)
                .<K, V>weigher((k, v) -> weight.applyAsInt(v))
                .removalListener((K k, V v, RemovalCause cause) -> {
                    if (v != null) {
                        removed.accept(v);
                    }
                })
                .executor(Runnable::run).recordStats());
    }

    /** As {@link #bounded}, each entry expiring after the time {@code ttl} gives it when written (by {@code clock}). */
    public static <K, V> BoundedCache<K, V> expiring(String name, long maxEntries, Clock clock,
            BiFunction<? super K, ? super V, Duration> ttl) {
        Objects.requireNonNull(ttl, "ttl");
        Caffeine<Object, Object> builder = base(maxEntries).ticker(ticker(clock));
        return build(name, builder.expireAfter(new Expiry<K, V>() {
            @Override
            public long expireAfterCreate(K key, V value, long currentTime) {
                return nanos(ttl.apply(key, value));
            }

            @Override
            public long expireAfterUpdate(K key, V value, long currentTime, long currentDuration) {
                return nanos(ttl.apply(key, value));
            }

            @Override
            public long expireAfterRead(K key, V value, long currentTime, long currentDuration) {
                return currentDuration;
            }
        }));
    }

    private static Caffeine<Object, Object> base(long maxEntries) {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries must not be negative");
        }
        // maintenance (eviction) on the calling thread: no pool thread, and sizes are exact once a call returns
        return Caffeine.newBuilder().maximumSize(maxEntries).executor(Runnable::run).recordStats();
    }

    private static <K, V> BoundedCache<K, V> build(String name, Caffeine<? super K, ? super V> builder) {
        return build(name, builder, BoundedCache.EVICTING);
    }

    private static <K, V> BoundedCache<K, V> build(String name, Caffeine<? super K, ? super V> builder,
            long admissionLimit) {
        com.github.benmanes.caffeine.cache.Cache<K, V> cache = builder.build();
        // Quarkus adds its registry to the global one; without Micrometer running this is a no-op registry
        CaffeineCacheMetrics.monitor(Metrics.globalRegistry, cache, name);
        return new BoundedCache<>(name, cache, admissionLimit);
    }

    private static Ticker ticker(Clock clock) {
        Objects.requireNonNull(clock, "clock");
        return () -> {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        };
    }

    private static long nanos(Duration ttl) {
        return ttl.isNegative() ? 0 : saturatedNanos(ttl);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
