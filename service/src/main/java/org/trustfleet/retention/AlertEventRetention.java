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
 * Alert events older than {@code trustfleet.retention.alert-event-age} that no delivery refers to any more (the
 * delivery log shows each delivery with its event, so an event lives at least as long as its deliveries).
 *
 * <p>An event row is also the memory that its cause has fired: {@code alert_event} is unique on the cause
 * ({@code dedupe_key}), and a second raise of a cause still on record writes nothing. Most causes cannot come again
 * (a scan, a requirement version, an outage or a non-compliance episode: the rules keep what they need in
 * {@code alert_endpoint_state} and {@code alert_group_state}), but the expiry check ({@code alert.AlertWatcher})
 * re-evaluates every presented and delivered certificate at each run and relies on the event to fire each threshold
 * once. So a {@code CERTIFICATE_EXPIRING} event is kept, whatever its age, while its certificate is still among those
 * its endpoint presented at the last successful scan, or in its group's latest requirement set: exactly what the
 * check looks at. Once the certificate is gone (renewed, endpoint or group deleted) the event goes too; should the
 * same certificate come back later, its expiry fires again.
 */
@Singleton
@Priority(10)
public class AlertEventRetention implements RetentionTask {
    private final Duration age;

    public AlertEventRetention(TrustfleetConfig config) {
        this.age = config.retention().alertEventAge();
    }

    @Override
    public String name() {
        return "alert-events";
    }

    @Override
    public int pruneBatch(Connection connection, Instant now, int limit) throws SQLException {
        // the endpoint or group and the certificate of an expiry event are in its document, as the watcher wrote them
        try (PreparedStatement s = connection.prepareStatement("""
                DELETE FROM alert_event WHERE seq IN (
                  SELECT e.seq FROM alert_event e
                  WHERE e.occurred_at < ?
                    AND NOT EXISTS (SELECT 1 FROM alert_delivery d WHERE d.event_id = e.id)
                    AND NOT (e.type = 'CERTIFICATE_EXPIRING' AND (
                      EXISTS (SELECT 1 FROM alert_endpoint_state p
                              WHERE p.endpoint_id = CAST(e.document -> 'data' ->> 'endpointId' AS uuid)
                                AND p.presented @> jsonb_build_array(
                                    jsonb_build_object('sha256', e.document -> 'data' ->> 'sha256')))
                      OR EXISTS (SELECT 1 FROM group_requirements_version v
                              WHERE v.group_id = CAST(e.document -> 'data' ->> 'groupId' AS uuid)
                                AND v.version = (SELECT max(w.version) FROM group_requirements_version w
                                                 WHERE w.group_id = v.group_id)
                                AND v.certificates @> jsonb_build_array(
                                    jsonb_build_object('sha256', e.document -> 'data' ->> 'sha256')))))
                  ORDER BY e.occurred_at
                  LIMIT ?
                  FOR UPDATE OF e SKIP LOCKED)""")) {
            s.setTimestamp(1, Timestamp.from(now.minus(age)));
            s.setInt(2, limit);
            return s.executeUpdate();
        }
    }
}
