package org.trustfleet.tenant;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.trustfleet.core.TrustfleetConfig;

/**
 * The one limit on guessing a secret at an unauthenticated door (enrollment tokens, console sign-in): counts failed
 * attempts per door and client address in a sliding one-minute window, in PostgreSQL ({@code failed_attempt}), so
 * that every replica shares one count: an address with the door's maximum of failures in the last minute is blocked
 * at that door until the oldest of them is a minute old, whichever replica it reaches.
 *
 * <p>Counting is check-and-count in one statement ({@link #recordFailure}): a failure is counted only while the
 * window has room, under the row lock of the address, so parallel attempts cannot all slip under the limit; a failure
 * that finds the window full is answered as rate-limited instead. Each call runs in a transaction of its own, so a
 * counted failure stays counted when the enrollment that failed rolls back.
 *
 * <p>Times come from the service's clock. Failures stamped more than {@link #CLOCK_SKEW} ahead of this replica's
 * clock are not counted (a clock far ahead must not block an address for longer than a minute).
 */
@ApplicationScoped
public class FailedAttemptLimiter {
    /** The unauthenticated doors whose failures are counted, each with its own limit and count. */
    public enum Door {
        /** {@code POST /enroll}: {@code trustfleet.enrollment.max-failures-per-minute}. */
        ENROLLMENT,
        /** {@code POST /console/sign-in}: {@code trustfleet.console.max-failed-sign-ins-per-minute}. */
        CONSOLE_SIGN_IN
    }

    static final Duration WINDOW = Duration.ofMinutes(1);
    /** Tolerated clock difference between replicas. */
    static final Duration CLOCK_SKEW = Duration.ofSeconds(5);
    /** Longest address key kept (IPv6 with a zone fits; anything longer is cut). */
    static final int MAX_ADDRESS_LENGTH = 100;

    private final AgroalDataSource db;
    private final Clock clock;
    private final Map<Door, Integer> maxFailures = new EnumMap<>(Door.class);
    private volatile Instant lastSweep = Instant.EPOCH;

    public FailedAttemptLimiter(AgroalDataSource db, Clock clock, TrustfleetConfig config) {
        this.db = db;
        this.clock = clock;
        maxFailures.put(Door.ENROLLMENT, atLeastOne(config.enrollment().maxFailuresPerMinute(),
                "trustfleet.enrollment.max-failures-per-minute"));
        maxFailures.put(Door.CONSOLE_SIGN_IN, atLeastOne(config.console().maxFailedSignInsPerMinute(),
                "trustfleet.console.max-failed-sign-ins-per-minute"));
    }

    private static int atLeastOne(int value, String key) {
        if (value < 1) {
            throw new IllegalArgumentException(key + " must be at least 1");
        }
        return value;
    }

    /** How long the address must wait, or empty when it may try now. Reads only. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Optional<Duration> blockedFor(Door door, String address) {
        return blockedFor(door, address, now());
    }

    /**
     * Counts one failed attempt of the address if its window has room: empty when counted (answer the failure as it
     * is), else how long the address must wait (answer 429 instead: the limit was reached by attempts made at the
     * same time).
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Optional<Duration> recordFailure(Door door, String address) {
        Instant now = now();
        String key = key(address);
        boolean counted;
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO failed_attempt AS f (door, address, failures, updated_at)
                VALUES (?, ?, ARRAY[?::timestamptz], ?)
                ON CONFLICT (door, address) DO UPDATE
                    SET failures = ARRAY(SELECT a FROM unnest(f.failures) AS a WHERE a > ? AND a <= ? ORDER BY a)
                                   || EXCLUDED.failures,
                        updated_at = EXCLUDED.updated_at
                    WHERE (SELECT count(*) FROM unnest(f.failures) AS a WHERE a > ? AND a <= ?) < ?
                RETURNING 1""")) {
            Timestamp at = Timestamp.from(now);
            Timestamp cutoff = Timestamp.from(now.minus(WINDOW));
            Timestamp latest = Timestamp.from(now.plus(CLOCK_SKEW));
            s.setString(1, door.name());
            s.setString(2, key);
            s.setTimestamp(3, at);
            s.setTimestamp(4, at);
            s.setTimestamp(5, cutoff);
            s.setTimestamp(6, latest);
            s.setTimestamp(7, cutoff);
            s.setTimestamp(8, latest);
            s.setInt(9, maxFailures.get(door));
            try (ResultSet r = s.executeQuery()) {
                counted = r.next();
            }
            sweep(c, now);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count the failed attempt", e);
        }
        if (counted) {
            return Optional.empty();
        }
        return Optional.of(blockedFor(door, address, now).orElse(Duration.ofSeconds(1)));
    }

    private Optional<Duration> blockedFor(Door door, String address, Instant now) {
        int max = maxFailures.get(door);
        List<Instant> failures = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT a FROM failed_attempt f, unnest(f.failures) AS a
                WHERE f.door = ? AND f.address = ? AND a > ? AND a <= ? ORDER BY a""")) {
            s.setString(1, door.name());
            s.setString(2, key(address));
            s.setTimestamp(3, Timestamp.from(now.minus(WINDOW)));
            s.setTimestamp(4, Timestamp.from(now.plus(CLOCK_SKEW)));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    failures.add(r.getTimestamp(1).toInstant());
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the failed-attempt count", e);
        }
        if (failures.size() < max) {
            return Optional.empty();
        }
        // room again once all but max - 1 of them have left the window
        Instant freed = failures.get(failures.size() - max).plus(WINDOW);
        Duration wait = Duration.between(now, freed);
        if (wait.isNegative() || wait.isZero()) {
            return Optional.of(Duration.ofMillis(1));
        }
        // Never more than the window: failures can be stamped after this caller's now, by a replica whose clock is
        // ahead or by a concurrent attempt that read the clock later but took the row lock first (a Retry-After of
        // 61 seconds for a one-minute limit).
        return Optional.of(wait.compareTo(WINDOW) > 0 ? WINDOW : wait);
    }

    /** Deletes the rows of addresses without a failure in the window, at most once a window per replica. */
    private void sweep(Connection c, Instant now) throws SQLException {
        if (Duration.between(lastSweep, now).compareTo(WINDOW) < 0) {
            return;
        }
        lastSweep = now;
        try (PreparedStatement s = c.prepareStatement("DELETE FROM failed_attempt WHERE updated_at < ?")) {
            s.setTimestamp(1, Timestamp.from(now.minus(WINDOW)));
            s.executeUpdate();
        }
    }

    private Instant now() {
        // PostgreSQL keeps microseconds: the same instant on both sides of a comparison
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static String key(String address) {
        String a = address == null || address.isBlank() ? "unknown" : address;
        return a.length() > MAX_ADDRESS_LENGTH ? a.substring(0, MAX_ADDRESS_LENGTH) : a;
    }
}
