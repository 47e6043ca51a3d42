package org.trustfleet.alert;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.trustfleet.core.AfterCommit;
import org.trustfleet.core.JsonColumns;
import org.trustfleet.core.TrustfleetConfig;

/**
 * The transactional outbox. {@link #raise} writes the event and one PENDING delivery per subscribed channel in the
 * caller's transaction, so the event exists exactly when the change that caused it was committed; the delivery
 * worker sends it afterwards. The {@code dedupeKey} names the cause: a second raise for the same cause (another
 * replica, a repeated check) writes nothing.
 */
@ApplicationScoped
public class AlertOutbox {
    private final EntityManager em;
    private final JsonColumns json;
    private final Clock clock;
    private final TransactionSynchronizationRegistry transactions;
    private final DeliveryWorker worker;
    private final Optional<String> baseUrl;

    public AlertOutbox(EntityManager em, JsonColumns json, Clock clock, TransactionSynchronizationRegistry transactions,
            DeliveryWorker worker, TrustfleetConfig config) {
        this.em = em;
        this.json = json;
        this.clock = clock;
        this.transactions = transactions;
        this.worker = worker;
        this.baseUrl = config.alerts().baseUrl().map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
    }

    /** What causes an event; paths are made absolute with {@code trustfleet.alerts.base-url} when it is set. */
    public record Cause(UUID tenantId, AlertEventType type, String dedupeKey, String summary, String consolePath,
            String apiPath, Map<String, Object> data) {}

    /** Writes the event and its deliveries unless this cause was raised before; returns the event when written. */
    @Transactional
    public Optional<AlertEvent> raise(Cause cause) {
        Instant now = clock.instant();
        AlertEvent event = new AlertEvent(UUID.randomUUID(), cause.tenantId(), cause.type(), now, cause.summary(),
                link(cause.consolePath()), link(cause.apiPath()), cause.data());
        int written = em.createNativeQuery("""
                INSERT INTO alert_event (id, tenant_id, type, dedupe_key, occurred_at, document)
                VALUES (?1, ?2, ?3, ?4, ?5, CAST(?6 AS jsonb)) ON CONFLICT (tenant_id, dedupe_key) DO NOTHING""")
                .setParameter(1, event.id()).setParameter(2, event.tenantId()).setParameter(3, event.type().name())
                .setParameter(4, cause.dedupeKey()).setParameter(5, Timestamp.from(now))
                .setParameter(6, json.write(event)).executeUpdate();
        if (written == 0) {
            return Optional.empty();
        }
        int deliveries = em.createNativeQuery("""
                INSERT INTO alert_delivery (id, tenant_id, event_id, channel_id, channel_name, status, attempts,
                                            created_at, next_attempt_at)
                SELECT gen_random_uuid(), c.tenant_id, ?1, c.id, c.name, 'PENDING', 0, ?2, ?2
                FROM alert_channel c
                WHERE c.tenant_id = ?3
                  AND (c.event_types = '[]'::jsonb OR c.event_types @> jsonb_build_array(CAST(?4 AS text)))""")
                .setParameter(1, event.id()).setParameter(2, Timestamp.from(now))
                .setParameter(3, event.tenantId()).setParameter(4, event.type().name()).executeUpdate();
        if (deliveries > 0) {
            AfterCommit.run(transactions, worker::wake);
        }
        return Optional.of(event);
    }

    /** A TEST event for one channel only (no dedupe: every "send test" sends). */
    @Transactional
    public AlertEvent test(UUID tenantId, UUID channelId, String channelName) {
        Instant now = clock.instant();
        UUID id = UUID.randomUUID();
        AlertEvent event = new AlertEvent(id, tenantId, AlertEventType.TEST, now,
                "Test alert for channel '" + channelName + "': this channel receives Trustfleet alerts.",
                link("/console/tenants/" + tenantId + "/alerts"),
                link("/api/v1/tenants/" + tenantId + "/alert-channels/" + channelId), Map.of("channelId", channelId));
        em.createNativeQuery("""
                INSERT INTO alert_event (id, tenant_id, type, dedupe_key, occurred_at, document)
                VALUES (?1, ?2, 'TEST', ?3, ?4, CAST(?5 AS jsonb))""")
                .setParameter(1, id).setParameter(2, tenantId).setParameter(3, "test/" + id)
                .setParameter(4, Timestamp.from(now)).setParameter(5, json.write(event)).executeUpdate();
        em.createNativeQuery("""
                INSERT INTO alert_delivery (id, tenant_id, event_id, channel_id, channel_name, status, attempts,
                                            created_at, next_attempt_at)
                VALUES (gen_random_uuid(), ?1, ?2, ?3, ?4, 'PENDING', 0, ?5, ?5)""")
                .setParameter(1, tenantId).setParameter(2, id).setParameter(3, channelId).setParameter(4, channelName)
                .setParameter(5, Timestamp.from(now)).executeUpdate();
        AfterCommit.run(transactions, worker::wake);
        return event;
    }

    private String link(String path) {
        if (path == null) {
            return null;
        }
        return baseUrl.map(b -> b + path).orElse(path);
    }
}
