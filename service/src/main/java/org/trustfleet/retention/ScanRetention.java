package org.trustfleet.retention;

import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.trustfleet.core.TrustfleetConfig;

/**
 * Scan history older than {@code trustfleet.retention.scan-age}. Kept whatever their age: the latest scan of each
 * endpoint (its current observation, from which its group requirements and payloads are computed), the latest scan
 * that saw a chain (what the next scan is compared with to detect a chain change), and every scan a kept chain event
 * names (deleting it would cascade to the event). Certificates are never deleted here: a fingerprint names one
 * certificate forever and each replica remembers the rows it has read.
 */
@Singleton
public class ScanRetention implements RetentionTask {
    private final Duration age;

    public ScanRetention(TrustfleetConfig config) {
        this.age = config.retention().scanAge();
    }

    @Override
    public String name() {
        return "scans";
    }

    @Override
    public int pruneBatch(Connection connection, Instant now, int limit) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("""
                DELETE FROM scan WHERE id IN (
                  SELECT s.id FROM scan s
                  WHERE s.started_at < ?
                    AND s.started_at < (SELECT max(t.started_at) FROM scan t WHERE t.endpoint_id = s.endpoint_id)
                    AND (s.chain_key IS NULL OR EXISTS (SELECT 1 FROM scan t WHERE t.endpoint_id = s.endpoint_id
                         AND t.chain_key IS NOT NULL AND t.started_at > s.started_at))
                    AND NOT EXISTS (SELECT 1 FROM chain_event e WHERE e.scan_id = s.id)
                    AND NOT EXISTS (SELECT 1 FROM chain_event e WHERE e.previous_scan_id = s.id)
                  ORDER BY s.started_at
                  LIMIT ?
                  FOR UPDATE OF s SKIP LOCKED)""")) {
            s.setTimestamp(1, Timestamp.from(now.minus(age)));
            s.setInt(2, limit);
            return s.executeUpdate();
        }
    }
}
