package org.trustfleet.retention;

import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.trustfleet.core.TrustfleetConfig;

/**
 * Chain events older than {@code trustfleet.retention.chain-event-age}. Nothing current is derived from an old chain
 * event (the next chain change is detected from scans), and the drift report shows only those within
 * {@code trustfleet.drift.window}, which the default age comfortably exceeds.
 */
@Singleton
public class ChainEventRetention implements RetentionTask {
    private final Duration age;

    public ChainEventRetention(TrustfleetConfig config) {
        this.age = config.retention().chainEventAge();
    }

    @Override
    public String name() {
        return "chain-events";
    }

    @Override
    public int pruneBatch(Connection connection, Instant now, int limit) throws SQLException {
        return RetentionTask.deleteOlderThan(connection, "chain_event", "id", "occurred_at", now.minus(age), limit);
    }
}
