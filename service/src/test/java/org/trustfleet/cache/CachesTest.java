package org.trustfleet.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CachesTest {

    @Test
    void aBoundedCacheNeverHoldsMoreThanItsBound() {
        BoundedCache<Integer, String> cache = Caches.bounded("test-bounded", 3);
        for (int i = 0; i < 100; i++) {
            cache.put(i, "v" + i);
        }
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.name()).isEqualTo("test-bounded");
    }

    @Test
    void aWeightedCacheHoldsAtMostItsWeightAndHandsBackEveryValueThatLeaves() {
        List<String> removed = new ArrayList<>();
        BoundedCache<Integer, String> cache = Caches.weighted("test-weighted", 10, String::length, removed::add);
        for (int i = 0; i < 20; i++) {
            cache.put(i, "abcd" + i % 10); // 5 characters each
        }
        assertThat(cache.weightedSize()).isLessThanOrEqualTo(10);
        assertThat(cache.size()).isLessThanOrEqualTo(2);
        assertThat(removed).as("every value put and no longer held").hasSize(20 - (int) cache.size());

        cache.invalidateAll();
        assertThat(removed).hasSize(20);
        assertThat(cache.weightedSize()).isZero();

        cache.put(1, "xyz");
        cache.put(1, "uvw"); // replaced
        assertThat(removed).hasSize(21).endsWith("xyz");
        assertThat(Caches.bounded("test-unweighted", 3).weightedSize()).isZero();
    }

    @Test
    void getAllLoadsOnlyTheMissingKeysInOneCallAndKeepsWhatItFound() {
        BoundedCache<Integer, String> cache = Caches.bounded("test-get-all", 10);
        cache.put(1, "one");
        List<Set<? extends Integer>> loads = new ArrayList<>();
        Map<Integer, String> first = cache.getAll(List.of(1, 2, 3), missing -> {
            loads.add(Set.copyOf(missing));
            return Map.of(2, "two"); // 3 is not found
        });
        assertThat(first).containsExactlyInAnyOrderEntriesOf(Map.of(1, "one", 2, "two"));
        assertThat(loads).containsExactly(Set.of(2, 3));
        assertThat(cache.get(2)).isEqualTo("two");
        assertThat(cache.get(3)).isNull();

        Map<Integer, String> again = cache.getAll(List.of(1, 2), missing -> {
            throw new AssertionError("nothing is missing: " + missing);
        });
        assertThat(again).containsExactlyInAnyOrderEntriesOf(Map.of(1, "one", 2, "two"));
    }

    @Test
    void aZeroBoundKeepsNothingAndANegativeOneIsRefused() {
        BoundedCache<String, String> none = Caches.bounded("test-none", 0);
        none.put("a", "b");
        assertThat(none.get("a")).isNull();
        assertThatThrownBy(() -> Caches.bounded("test-negative", -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hotPathEntriesExpireByTheGivenClockAfterTheirTimeToLive() {
        MovableClock clock = new MovableClock();
        BoundedCache<String, Boolean> cache = Caches.hotPath("test-hot-path", 10, Duration.ofHours(1), clock);
        cache.put("token", true);
        clock.advance(Duration.ofHours(1).minusNanos(1));
        assertThat(cache.get("token")).isTrue();
        clock.advance(Duration.ofNanos(1));
        assertThat(cache.get("token")).isNull();
        cache.put("other", true);
        cache.invalidate("other");
        assertThat(cache.get("other")).isNull();
    }

    /** A value of an admission-bounded cache: it carries the epoch second it was made at, which its expiry reads. */
    private record Made(int value, long second) {
        static Made at(MovableClock clock, int value) {
            return new Made(value, clock.instant().getEpochSecond());
        }
    }

    private static BoundedCache<String, Made> admissionBounded(String name, long maxEntries, MovableClock clock) {
        return Caches.admissionBounded(name, maxEntries, Duration.ofHours(1), clock, Made::second);
    }

    @Test
    void anAdmissionBoundedCacheAddsNoNewKeyWhileFullButStillReplaces() {
        MovableClock clock = new MovableClock();
        BoundedCache<String, Made> cache = admissionBounded("test-admission", 2, clock);
        cache.put("a", Made.at(clock, 1));
        assertThat(cache.addIfAbsent("b", Made.at(clock, 2))).isTrue();
        assertThat(cache.addIfAbsent("b", Made.at(clock, 20))).as("b has a value").isFalse();

        cache.put("c", Made.at(clock, 3));
        assertThat(cache.addIfAbsent("d", Made.at(clock, 4))).isFalse();
        assertThat(cache.get("c")).isNull();
        assertThat(cache.get("d")).isNull();
        assertThat(cache.get("x", k -> Made.at(clock, 9)).value()).as("loaded, not kept").isEqualTo(9);
        assertThat(cache.get("x")).isNull();
        assertThat(cache.getAll(List.of("a", "y"), missing -> Map.of("y", Made.at(clock, 5))).values())
                .extracting(Made::value).containsExactlyInAnyOrder(1, 5);
        assertThat(cache.get("y")).isNull();
        cache.put("a", Made.at(clock, 10));
        assertThat(cache.get("a").value()).as("a key held is replaced").isEqualTo(10);
        assertThat(cache.get("b").value()).isEqualTo(2);
        assertThat(cache.size()).isEqualTo(2);

        cache.invalidate("a");
        cache.put("c", Made.at(clock, 3));
        assertThat(cache.get("c").value()).as("room again once an entry is dropped").isEqualTo(3);
        clock.advance(Duration.ofHours(1));
        assertThat(cache.size()).as("expired").isZero();
        cache.putAll(Map.of("d", Made.at(clock, 4), "e", Made.at(clock, 5)));
        assertThat(cache.get("d").value()).as("room again once the entries expired").isEqualTo(4);
        assertThat(cache.get("e").value()).isEqualTo(5);
        assertThat(cache.get("b")).isNull();
        assertThatThrownBy(() -> admissionBounded("test-negative", -1, clock))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anAdmissionBoundedCacheExpiresEachValueByTheTimeItCarries() {
        MovableClock clock = new MovableClock();
        BoundedCache<String, Made> cache = admissionBounded("test-admission-expiry", 3, clock);
        cache.put("old", Made.at(clock, 1));
        clock.advance(Duration.ofMinutes(30));
        cache.put("new", Made.at(clock, 2));
        clock.advance(Duration.ofMinutes(30).minusSeconds(1));
        assertThat(cache.get("old").value()).as("a second before its hour").isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.get("old")).as("an hour after it was made").isNull();
        assertThat(cache.get("new").value()).isEqualTo(2);
        assertThat(cache.get("old", k -> Made.at(clock, 3)).value()).as("loaded again, and kept").isEqualTo(3);
        assertThat(cache.get("old").value()).isEqualTo(3);

        clock.advance(Duration.ofMinutes(30));
        assertThat(cache.addIfAbsent("new", Made.at(clock, 4))).as("an expired value is replaced").isTrue();
        assertThat(cache.get("new").value()).isEqualTo(4);
        assertThat(cache.getAll(List.of("old", "new"), missing -> {
            throw new AssertionError("nothing is missing: " + missing);
        }).values()).extracting(Made::value).containsExactlyInAnyOrder(3, 4);
        assertThat(cache.addIfAbsent("third", Made.at(clock, 5))).isTrue();

        // full: a new key is refused until a held one expires, then admitted without a get or a size first
        assertThat(cache.addIfAbsent("fourth", Made.at(clock, 6))).isFalse();
        clock.advance(Duration.ofMinutes(30));
        assertThat(cache.addIfAbsent("fourth", Made.at(clock, 6))).as("\"old\" expired, a pass dropped it").isTrue();
        assertThat(cache.get("fourth").value()).isEqualTo(6);
        assertThat(cache.get("new").value()).isEqualTo(4);
        assertThat(cache.getAll(List.of("old", "fifth"), missing -> Map.of("fifth", Made.at(clock, 7))))
                .as("loaded; not kept while the cache is full").containsOnlyKeys("fifth");
        assertThat(cache.get("fifth")).isNull();
        assertThat(cache.size()).isEqualTo(3);
    }

    @Test
    void entriesExpireByTheGivenClockEachAfterItsOwnTime() {
        MovableClock clock = new MovableClock();
        BoundedCache<String, Boolean> cache = Caches.expiring("test-expiring", 10, clock,
                (key, ok) -> ok ? Duration.ofHours(1) : Duration.ofMinutes(5));
        cache.put("good", true);
        cache.put("bad", false);
        clock.advance(Duration.ofMinutes(5).minusNanos(1));
        assertThat(cache.get("bad")).isFalse();
        clock.advance(Duration.ofNanos(1));
        assertThat(cache.get("bad")).isNull();
        assertThat(cache.get("good")).isTrue();
        clock.advance(Duration.ofMinutes(55));
        assertThat(cache.get("good")).isNull();
    }

    @Test
    void invalidatesByKeyByKeysAndByValue() {
        BoundedCache<Integer, String> cache = Caches.bounded("test-invalidate", 100);
        for (int i = 0; i < 10; i++) {
            cache.put(i, i % 2 == 0 ? "even" : "odd");
        }
        cache.invalidate(0);
        cache.invalidateAll(Set.of(1, 2));
        cache.invalidateIf("odd"::equals);
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.get(4)).isEqualTo("even");
        assertThat(cache.get(3)).isNull();
        cache.invalidateAll();
        assertThat(cache.size()).isZero();
    }

    @Test
    void loadsOnceAndDoesNotRememberNull() {
        BoundedCache<String, String> cache = Caches.bounded("test-load", 10);
        assertThat(cache.get("k", k -> "loaded")).isEqualTo("loaded");
        assertThat(cache.get("k", k -> "again")).isEqualTo("loaded");
        assertThat(cache.get("n", k -> null)).isNull();
        assertThat(cache.get("n")).isNull();
    }

    private static final class MovableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
