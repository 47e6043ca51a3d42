package org.trustfleet.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.tenant.FailedAttemptLimiter.Door.CONSOLE_SIGN_IN;
import static org.trustfleet.tenant.FailedAttemptLimiter.Door.ENROLLMENT;

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
 * The failure window per door and address, kept in PostgreSQL: it slides, every replica sees the same count, counting
 * is atomic, and each door counts on its own. Each limiter here stands for one replica (its own object and clock, one shared database); addresses are
 * fresh per test, so other tests' failures do not count.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class FailedAttemptLimiterTest {

    @Inject
    AgroalDataSource db;

    @Inject
    TrustfleetConfig config;

    private final MovableClock clock = new MovableClock();

    private FailedAttemptLimiter replica(Clock c) {
        return new FailedAttemptLimiter(db, c, config);
    }

    private static String address() {
        return "test-" + UUID.randomUUID();
    }

    @Test
    void theWindowSlidesAndEveryReplicaSeesTheSameCount() {
        int limit = config.enrollment().maxFailuresPerMinute();
        FailedAttemptLimiter a = replica(clock);
        FailedAttemptLimiter b = replica(clock);
        String address = address();
        for (int i = 0; i < limit; i++) {
            assertThat((i % 2 == 0 ? a : b).blockedFor(ENROLLMENT, address)).isEmpty();
            assertThat((i % 2 == 0 ? a : b).recordFailure(ENROLLMENT, address)).as("failure %d counted", i).isEmpty();
            clock.advance(Duration.ofSeconds(1));
        }
        // failures at t0 .. t0+(limit-1) s, now t0+limit s: room again when the one at t0 is a minute old
        Duration expected = Duration.ofSeconds(60 - limit);
        assertThat(a.blockedFor(ENROLLMENT, address)).contains(expected);
        assertThat(b.blockedFor(ENROLLMENT, address)).as("the other replica").contains(expected);
        assertThat(b.recordFailure(ENROLLMENT, address)).as("a failure past the limit is not counted").contains(expected);
        assertThat(a.blockedFor(ENROLLMENT, address())).as("other addresses are not affected").isEmpty();

        clock.advance(expected);
        assertThat(a.blockedFor(ENROLLMENT, address)).isEmpty();
        assertThat(b.recordFailure(ENROLLMENT, address)).isEmpty();
        assertThat(a.blockedFor(ENROLLMENT, address)).as("the later failures are still in the window").isPresent();
    }

    @Test
    void countingIsAtomicUnderConcurrency() throws Exception {
        int limit = config.enrollment().maxFailuresPerMinute();
        List<FailedAttemptLimiter> replicas = List.of(replica(clock), replica(clock));
        String address = address();
        int attempts = 40;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(attempts);
        try {
            List<Future<Optional<Duration>>> results = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                FailedAttemptLimiter replica = replicas.get(i % 2);
                results.add(pool.submit(() -> {
                    go.await();
                    return replica.recordFailure(ENROLLMENT, address);
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
        FailedAttemptLimiter fast = replica(ahead);
        FailedAttemptLimiter onTime = replica(clock);
        String address = address();
        for (int i = 0; i < config.enrollment().maxFailuresPerMinute(); i++) {
            fast.recordFailure(ENROLLMENT, address);
        }
        assertThat(fast.blockedFor(ENROLLMENT, address)).isPresent();
        assertThat(onTime.blockedFor(ENROLLMENT, address)).as("failures stamped in its future are not counted").isEmpty();
    }

    /**
     * Failures stamped after a caller's now (a replica a little ahead, within the tolerated skew, or a concurrent
     * attempt that read the clock later but counted first) never make the wait longer than the window: under load the
     * enrollment test once saw {@code Retry-After: 61} for a one-minute limit.
     */
    @Test
    void aWaitIsNeverLongerThanTheWindow() {
        FailedAttemptLimiter later = replica(Clock.offset(clock, Duration.ofSeconds(2)));
        FailedAttemptLimiter earlier = replica(clock);
        String address = address();
        for (int i = 0; i < config.enrollment().maxFailuresPerMinute(); i++) {
            assertThat(later.recordFailure(ENROLLMENT, address)).isEmpty();
        }
        assertThat(earlier.blockedFor(ENROLLMENT, address)).contains(Duration.ofMinutes(1));
        assertThat(earlier.recordFailure(ENROLLMENT, address)).as("not counted, and told a minute at most")
                .contains(Duration.ofMinutes(1));
        assertThat(later.blockedFor(ENROLLMENT, address)).as("the replica that stamped them")
                .contains(Duration.ofMinutes(1));
        clock.advance(Duration.ofSeconds(3)); // now past the stamps: the wait counts down from them again
        assertThat(earlier.blockedFor(ENROLLMENT, address)).contains(Duration.ofSeconds(59));
    }

    @Test
    void eachDoorCountsOnItsOwnWithItsOwnLimit() {
        FailedAttemptLimiter limiter = replica(clock);
        String address = address();
        int enrollmentLimit = config.enrollment().maxFailuresPerMinute();
        for (int i = 0; i < enrollmentLimit; i++) {
            assertThat(limiter.recordFailure(ENROLLMENT, address)).isEmpty();
        }
        assertThat(limiter.blockedFor(ENROLLMENT, address)).isPresent();
        assertThat(limiter.blockedFor(CONSOLE_SIGN_IN, address)).as("enrollment failures do not block sign-in")
                .isEmpty();

        int signInLimit = config.console().maxFailedSignInsPerMinute();
        for (int i = 0; i < signInLimit; i++) {
            assertThat(limiter.recordFailure(CONSOLE_SIGN_IN, address)).as("sign-in failure %d counted", i).isEmpty();
        }
        assertThat(limiter.recordFailure(CONSOLE_SIGN_IN, address)).as("past the sign-in limit").isPresent();
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
