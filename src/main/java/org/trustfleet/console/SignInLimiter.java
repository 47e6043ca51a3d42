package org.trustfleet.console;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.trustfleet.core.TrustfleetConfig;

/**
 * Counts failed console sign-ins per client address in a sliding one-minute window, in PostgreSQL so that every
 * replica counts the same failures (a guesser spreading attempts over replicas gains nothing). The rule is the
 * enrollment limit's: an address with {@code max} failures in the last minute is refused until the oldest of them
 * is a minute old.
 */
@ApplicationScoped
public class SignInLimiter {
    static final Duration WINDOW = Duration.ofMinutes(1);

    private final AgroalDataSource db;
    private final Clock clock;
    private final int maxFailures;

    public SignInLimiter(AgroalDataSource db, Clock clock, TrustfleetConfig config) {
        this.db = db;
        this.clock = clock;
        this.maxFailures = Math.max(1, config.console().maxFailedSignInsPerMinute());
    }

    /** How long the address must wait, or empty when it may try now. */
    @Transactional
    public Optional<Duration> blockedFor(String address) {
        Instant now = clock.instant();
        List<Instant> recent = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT failed_at FROM console_sign_in_failure WHERE address = ? AND failed_at > ?
                ORDER BY failed_at DESC LIMIT ?""")) {
            s.setString(1, address);
            s.setTimestamp(2, Timestamp.from(now.minus(WINDOW)));
            s.setInt(3, maxFailures);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    recent.add(r.getTimestamp(1).toInstant());
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading sign-in failures failed", e);
        }
        if (recent.size() < maxFailures) {
            return Optional.empty();
        }
        // the oldest of the last maxFailures failures leaves the window first
        Duration wait = Duration.between(now, recent.get(recent.size() - 1).plus(WINDOW));
        return Optional.of(wait.isNegative() || wait.isZero() ? Duration.ofSeconds(1) : wait);
    }

    /** Records one failed sign-in of the address and forgets failures that left the window. */
    @Transactional
    public void recordFailure(String address) {
        Instant now = clock.instant();
        try (Connection c = db.getConnection()) {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO console_sign_in_failure (address, failed_at) VALUES (?, ?)")) {
                s.setString(1, address);
                s.setTimestamp(2, Timestamp.from(now));
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM console_sign_in_failure WHERE failed_at <= ?")) {
                s.setTimestamp(1, Timestamp.from(now.minus(WINDOW)));
                s.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("recording a sign-in failure failed", e);
        }
    }
}
