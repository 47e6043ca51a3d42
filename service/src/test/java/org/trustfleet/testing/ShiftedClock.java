package org.trustfleet.testing;

import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that runs with the system clock plus an offset the test moves forward, so that days can pass without
 * sleeping. Enabled only in test profiles that select {@link Producer} (see {@link ShiftedClockProfile}).
 */
public final class ShiftedClock extends Clock {
    /** The one instance the application and the test share (same class loader in @QuarkusTest). */
    public static final ShiftedClock INSTANCE = new ShiftedClock();

    private volatile Duration offset = Duration.ZERO;

    private ShiftedClock() {}

    public void advance(Duration by) {
        offset = offset.plus(by);
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }

    /** Replaces the application's clock when selected as an alternative. */
    @Alternative
    @Singleton
    public static class Producer {
        @Produces
        @Alternative
        @Singleton
        Clock clock() {
            return INSTANCE;
        }
    }
}
