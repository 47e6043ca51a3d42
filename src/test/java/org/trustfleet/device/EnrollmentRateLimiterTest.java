package org.trustfleet.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * The failure window per address, kept in PostgreSQL: it slides, every replica sees the same count, and counting is
 * atomic. Each limiter here stands for one replica (its own object and clock, one shared database); addresses are
 * fresh per test, so other tests' failures do not count.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class EnrollmentRateLimiterTest {

    @Inject
    AgroalDataSource db;

    @Inject
    TrustfleetConfig config;

    private final MovableClock clock = new MovableClock();

    private EnrollmentRateLimiter replica(Clock c) {
        return new EnrollmentRateLimiter(db, c, config);
    }

    private static String address() {
        return "test-" + UUID.randomUUID();
    }

    @Test
    void theWindowSlidesAndEveryReplicaSeesTheSameCount() {
        int limit = config.enrollment().maxFailuresPerMinute();
        EnrollmentRateLimiter a = replica(clock);
        EnrollmentRateLimiter b = replica(clock);
        String address = address();
        for (int i = 0; i < limit; i++) {
            assertThat((i % 2 == 0 ? a : b).blockedFor(address)).isEmpty();
            assertThat((i % 2 == 0 ? a : b).recordFailure(address)).as("failure %d counted", i).isEmpty();
            clock.advance(Duration.ofSeconds(1));
        }
        // failures at t0 .. t0+(limit-1) s, now t0+limit s: room again when the one at t0 is a minute old
        Duration expected = Duration.ofSeconds(60 - limit);
        assertThat(a.blockedFor(address)).contains(expected);
        assertThat(b.blockedFor(address)).as("the other replica").contains(expected);
        assertThat(b.recordFailure(address)).as("a failure past the limit is not counted").contains(expected);
        assertThat(a.blockedFor(address())).as("other addresses are not affected").isEmpty();

        clock.advance(expected);
        assertThat(a.blockedFor(address)).isEmpty();
        assertThat(b.recordFailure(address)).isEmpty();
        assertThat(a.blockedFor(address)).as("the later failures are still in the window").isPresent();
    }

    @Test
    void countingIsAtomicUnderConcurrency() throws Exception {
        int limit = config.enrollment().maxFailuresPerMinute();
        List<EnrollmentRateLimiter> replicas = List.of(replica(clock), replica(clock));
        String address = address();
        int attempts = 40;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(attempts);
        try {
            List<Future<Optional<Duration>>> results = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                EnrollmentRateLimiter replica = replicas.get(i % 2);
                results.add(pool.submit(() -> {
                    go.await();
                    return replica.recordFailure(address);
                }));
            }
            go.countDown();
            int counted = 0;
            for (Future<Optional<Duration>> r : results) {
                counted += r.get().isEmpty() ? 1 : 0;
            }
            assertThat(counted).isEqualTo(limit);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aReplicaWithAClockFarAheadCannotBlockAnAddressForLong() {
        MovableClock ahead = new MovableClock();
        ahead.advance(Duration.ofMinutes(10));
        EnrollmentRateLimiter fast = replica(ahead);
        EnrollmentRateLimiter onTime = replica(clock);
        String address = address();
        for (int i = 0; i < config.enrollment().maxFailuresPerMinute(); i++) {
            fast.recordFailure(address);
        }
        assertThat(fast.blockedFor(address)).isPresent();
        assertThat(onTime.blockedFor(address)).as("failures stamped in its future are not counted").isEmpty();
    }

    /** Stands still at the time it was made, until the test moves it. */
    private static final class MovableClock extends Clock {
        private final Instant base = Instant.now();
        private volatile Duration offset = Duration.ZERO;

        void advance(Duration by) {
            offset = offset.plus(by);
        }

        @Override
        public Instant instant() {
            return base.plus(offset);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
