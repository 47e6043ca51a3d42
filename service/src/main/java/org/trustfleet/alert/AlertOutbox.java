package org.trustfleet.alert;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
        return raiseAll(List.of(cause)).stream().findFirst();
    }

    /**
     * As {@link #raise} for several causes, in two statements whatever their number (a platform store change gives
     * thousands of groups a new version in one transaction of its sweep); returns the events written, in the causes'
     * order, without those of causes raised before (or twice in the list).
     */
    @Transactional
    public List<AlertEvent> raiseAll(List<Cause> causes) {
        if (causes.isEmpty()) {
            return List.of();
        }
        Instant now = clock.instant();
        List<AlertEvent> events = new ArrayList<>(causes.size());
        UUID[] ids = new UUID[causes.size()];
        UUID[] tenants = new UUID[ids.length];
        String[] types = new String[ids.length];
        String[] dedupeKeys = new String[ids.length];
        String[] documents = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            Cause cause = causes.get(i);
            AlertEvent event = new AlertEvent(UUID.randomUUID(), cause.tenantId(), cause.type(), now,
                    cause.summary(), link(cause.consolePath()), link(cause.apiPath()), cause.data());
            events.add(event);
            ids[i] = event.id();
            tenants[i] = event.tenantId();
            types[i] = event.type().name();
            dedupeKeys[i] = cause.dedupeKey();
            documents[i] = json.write(event);
        }
        Set<UUID> written = new HashSet<>();
        for (Object id : em.createNativeQuery("""
                        INSERT INTO alert_event (id, tenant_id, type, dedupe_key, occurred_at, document)
                        SELECT u.id, u.tenant_id, u.type, u.dedupe_key, ?1, CAST(u.document AS jsonb)
                        FROM unnest(CAST(?2 AS uuid[]), CAST(?3 AS uuid[]), CAST(?4 AS text[]), CAST(?5 AS text[]),
                            CAST(?6 AS text[])) AS u(id, tenant_id, type, dedupe_key, document)
                        ON CONFLICT (tenant_id, dedupe_key) DO NOTHING RETURNING id""")
                .setParameter(1, Timestamp.from(now)).setParameter(2, ids).setParameter(3, tenants)
                .setParameter(4, types).setParameter(5, dedupeKeys).setParameter(6, documents).getResultList()) {
            written.add((UUID) id);
        }
        List<AlertEvent> raised = events.stream().filter(e -> written.contains(e.id())).toList();
        if (raised.isEmpty()) {
            return raised;
        }
        int deliveries = em.createNativeQuery("""
                INSERT INTO alert_delivery (id, tenant_id, event_id, channel_id, channel_name, status, attempts,
                                            created_at, next_attempt_at)
                SELECT gen_random_uuid(), c.tenant_id, e.id, c.id, c.name, 'PENDING', 0, ?1, ?1
                FROM unnest(CAST(?2 AS uuid[]), CAST(?3 AS uuid[]), CAST(?4 AS text[])) AS e(id, tenant_id, type)
                JOIN alert_channel c ON c.tenant_id = e.tenant_id
                WHERE c.event_types = '[]'::jsonb OR c.event_types @> jsonb_build_array(e.type)""")
                .setParameter(1, Timestamp.from(now))
                .setParameter(2, raised.stream().map(AlertEvent::id).toArray(UUID[]::new))
                .setParameter(3, raised.stream().map(AlertEvent::tenantId).toArray(UUID[]::new))
                .setParameter(4, raised.stream().map(e -> e.type().name()).toArray(String[]::new))
                .executeUpdate();
        if (deliveries > 0) {
            AfterCommit.run(transactions, worker::wake);
        }
        return raised;
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
