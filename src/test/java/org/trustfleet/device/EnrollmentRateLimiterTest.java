package org.trustfleet.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The sliding one-minute failure window per address. */
class EnrollmentRateLimiterTest {
    private Instant now = Instant.parse("2025-06-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    };

    @Test
    void blocksAfterTheLimitUntilTheOldestFailureIsAMinuteOld() {
        EnrollmentRateLimiter limiter = new EnrollmentRateLimiter(clock, 3);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.blockedFor("10.0.0.1")).isEmpty();
            limiter.recordFailure("10.0.0.1");
            now = now.plusSeconds(10);
        }
        assertThat(limiter.blockedFor("10.0.0.1")).contains(Duration.ofSeconds(30));
        assertThat(limiter.blockedFor("10.0.0.2")).as("other addresses are not affected").isEmpty();
        now = now.plusSeconds(30);
        assertThat(limiter.blockedFor("10.0.0.1")).isEmpty();
        limiter.recordFailure("10.0.0.1");
        assertThat(limiter.blockedFor("10.0.0.1")).as("the two later failures are still in the window").isPresent();
    }
}
