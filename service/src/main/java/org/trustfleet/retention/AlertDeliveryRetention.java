package org.trustfleet.retention;

import jakarta.annotation.Priority;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.trustfleet.core.TrustfleetConfig;

/**
 * Alert deliveries that finished longer ago than {@code trustfleet.retention.alert-delivery-age}: DELIVERED, or
 * FAILED (given up for good; nothing sends a finished delivery again). A PENDING delivery is never deleted, whatever
 * its age: it is waiting for its next attempt or leased by the replica sending it ({@code alert.DeliveryStore}), and
 * rows that replica holds locked are skipped besides. Runs before {@link AlertEventRetention} (higher priority), so
 * one run also frees the events whose last delivery it deleted.
 */
@Singleton
@Priority(20)
public class AlertDeliveryRetention implements RetentionTask {
    private final Duration age;

    public AlertDeliveryRetention(TrustfleetConfig config) {
        this.age = config.retention().alertDeliveryAge();
    }

    @Override
    public String name() {
        return "alert-deliveries";
    }

    @Override
    public int pruneBatch(Connection connection, Instant now, int limit) throws SQLException {
        // the status test is the predicate of the index alert_delivery_finished, written the same way so that the
        // planner uses it
        try (PreparedStatement s = connection.prepareStatement("""
                DELETE FROM alert_delivery WHERE seq IN (
                  SELECT seq FROM alert_delivery
                  WHERE status IN ('DELIVERED', 'FAILED') AND finished_at < ?
                  ORDER BY finished_at LIMIT ?
                  FOR UPDATE SKIP LOCKED)""")) {
            s.setTimestamp(1, Timestamp.from(now.minus(age)));
            s.setInt(2, limit);
            return s.executeUpdate();
        }
    }
}
