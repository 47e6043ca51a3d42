package org.trustfleet.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * Causes raised together (a store change's sweep raises one per group that got a new version) are written as one
 * raised at a time would be: each new cause once, none raised before, and a delivery for every channel that takes
 * its type.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class AlertOutboxTest {
    @Inject
    AlertOutbox outbox;
    @Inject
    AgroalDataSource db;

    @Test
    void causesRaisedTogetherWriteEachNewEventOnceWithADeliveryPerChannelThatTakesIt() throws Exception {
        UUID tenant = UUID.fromString(ApiFixtures.createTenant("outbox-together"));
        channel(tenant, "every type", "[]");
        channel(tenant, "unreachable only", "[\"ENDPOINT_UNREACHABLE\"]");
        QuarkusTransaction.requiringNew().run(() -> outbox.raise(cause(tenant, AlertEventType.ENDPOINT_UNREACHABLE,
                "before")));

        List<AlertEvent> raised = QuarkusTransaction.requiringNew().call(() -> outbox.raiseAll(List.of(
                cause(tenant, AlertEventType.ENDPOINT_UNREACHABLE, "before"),
                cause(tenant, AlertEventType.ENDPOINT_UNREACHABLE, "new"),
                cause(tenant, AlertEventType.REQUIREMENTS_CHANGED, "requirements"),
                cause(tenant, AlertEventType.REQUIREMENTS_CHANGED, "requirements"))));

        assertThat(raised).extracting(AlertEvent::summary).containsExactly("new", "requirements");
        assertThat(raised).extracting(AlertEvent::tenantId).containsOnly(tenant);
        assertThat(deliveriesByEvent(tenant)).isEqualTo(Map.of("before", 2L, "new", 2L, "requirements", 1L));
    }

    @Test
    void nothingToRaiseWritesNothing() {
        assertThat(QuarkusTransaction.requiringNew().call(() -> outbox.raiseAll(List.of()))).isEmpty();
    }

    /** The cause's dedupe key is its summary too, so that the events show which cause they are. */
    private static AlertOutbox.Cause cause(UUID tenant, AlertEventType type, String key) {
        return new AlertOutbox.Cause(tenant, type, key, key, null, null, Map.of());
    }

    private void channel(UUID tenant, String name, String eventTypes) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO alert_channel (id, tenant_id, name, kind, target, event_types, created_at)
                VALUES (?, ?, ?, 'EMAIL', 'ops@example.test', CAST(? AS jsonb), now())""")) {
            s.setObject(1, UUID.randomUUID());
            s.setObject(2, tenant);
            s.setString(3, name);
            s.setString(4, eventTypes);
            s.executeUpdate();
        }
    }

    /** Deliveries of the tenant's events, by the event's dedupe key. */
    private Map<String, Long> deliveriesByEvent(UUID tenant) throws Exception {
        Map<String, Long> out = new HashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT e.dedupe_key, count(d.id) FROM alert_event e LEFT JOIN alert_delivery d ON d.event_id = e.id
                WHERE e.tenant_id = ? GROUP BY e.dedupe_key""")) {
            s.setObject(1, tenant);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.put(r.getString(1), r.getLong(2));
                }
            }
        }
        return out;
    }
}
