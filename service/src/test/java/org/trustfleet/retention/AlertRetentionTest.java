package org.trustfleet.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.trustfleet.alert.AlertWatcher;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * Retention of alert history: finished deliveries older than their age go in batches, pending and leased ones stay
 * with their events, unreferenced old events go; and pruning changes nothing current: the delivery log keeps every
 * recent and pending delivery exactly as it was, an expiry alert whose certificate is still presented does not fire
 * again, and a group reported non-compliant is not reported again.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class AlertRetentionTest {
    static final String HOST = "alert-retention.contoso.test";
    /** The tenant's anchor, which its device group delivers: it expires within the 14-day threshold too. */
    static final Cert ROOT = TestPki.rootBuilder("Alert Retention Root")
            .notAfter(Instant.now().plus(Duration.ofDays(10))).build();
    static final Duration OLD = Duration.ofDays(400);

    @Inject
    AlertDeliveryRetention deliveries;
    @Inject
    AlertEventRetention events;
    @Inject
    RetentionJob retention;
    @Inject
    AlertWatcher watcher;
    @Inject
    AgroalDataSource db;

    @Test
    void finishedDeliveriesGoInBatchesPendingOnesAndTheEventsTheyNameStay() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("alert-retention");
        UUID tenant = UUID.fromString(t[0]);
        String admin = t[1];
        Instant now = Instant.now();
        Instant old = now.minus(OLD);
        // an old event whose deliveries all finished long ago: three delivered, two given up
        UUID finished = event(tenant, old);
        List<UUID> gone = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            gone.add(delivery(tenant, finished, i < 3 ? "DELIVERED" : "FAILED", old, old.plusSeconds(60 + i), null));
        }
        // an old event with a delivery finished long ago and one still leased by a replica sending it (its next
        // attempt moved past the send timeout), and an old event whose delivery waits for its next attempt
        UUID leasedEvent = event(tenant, old);
        gone.add(delivery(tenant, leasedEvent, "DELIVERED", old, old.plusSeconds(30), null));
        UUID leased = delivery(tenant, leasedEvent, "PENDING", old, null, now.plus(Duration.ofHours(1)));
        UUID waitingEvent = event(tenant, old);
        UUID waiting = delivery(tenant, waitingEvent, "PENDING", old, null, now.plus(Duration.ofDays(1)));
        // recent history: finished within the age
        UUID recentEvent = event(tenant, now.minus(Duration.ofDays(80)));
        UUID recentDelivered = delivery(tenant, recentEvent, "DELIVERED", now.minus(Duration.ofDays(80)),
                now.minus(Duration.ofDays(80)), null);
        UUID recentFailed = delivery(tenant, recentEvent, "FAILED", now.minus(Duration.ofDays(80)),
                now.minus(Duration.ofDays(79)), null);
        // an old event no channel received (a tenant without channels)
        UUID unreferenced = event(tenant, old);

        List<Map<String, Object>> before = log(t[0], admin);
        assertThat(before).hasSize(10);

        try (Connection c = db.getConnection()) {
            c.setAutoCommit(true);
            lock(c); // no scheduled run prunes meanwhile: the counts below are this test's rows only
            assertThat(deliveries.pruneBatch(c, now, 4)).isEqualTo(4);
            assertThat(deliveries.pruneBatch(c, now, 4)).isEqualTo(2);
            assertThat(deliveries.pruneBatch(c, now, 4)).isZero();
            assertThat(events.pruneBatch(c, now, 1)).isEqualTo(1);
            assertThat(events.pruneBatch(c, now, 1)).isEqualTo(1);
            assertThat(events.pruneBatch(c, now, 1)).isZero();
            unlock(c);
        }

        assertThat(ids("SELECT id FROM alert_delivery WHERE tenant_id = ?", tenant))
                .containsExactlyInAnyOrder(leased, waiting, recentDelivered, recentFailed);
        assertThat(ids("SELECT id FROM alert_event WHERE tenant_id = ?", tenant))
                .containsExactlyInAnyOrder(leasedEvent, waitingEvent, recentEvent)
                .doesNotContain(finished, unreferenced);
        // the log shows what it showed, minus the pruned deliveries, each kept one unchanged
        List<Map<String, Object>> expected = before.stream()
                .filter(d -> !gone.contains(UUID.fromString((String) d.get("id")))).toList();
        assertThat(log(t[0], admin)).hasSize(4).isEqualTo(expected);
    }

    @Test
    void pruningAlertHistoryRaisesNoAlertAgain() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("alert-retention-open");
        String tenant = t[0];
        String admin = t[1];
        as(admin).contentType(ContentType.JSON).body(Map.of("pem", CertificateEncoder.toPem(List.of(ROOT.cert()))))
                .post("/api/v1/tenants/{t}/anchors", tenant).then().statusCode(201);
        Cert intermediate = ROOT.issueIntermediate("Alert Retention CA");
        Instant soon = Instant.now().plus(Duration.ofDays(10)); // within the 14-day threshold
        Cert expiring = intermediate.leaf(HOST).notAfter(soon).build();
        Cert renewedFrom = intermediate.leaf(HOST).notAfter(soon).build();
        Cert renewed = intermediate.issueLeaf(HOST);
        String current;
        String replaced;
        try (TestTlsServer a = TestTlsServer.tls(TestPki.certs(expiring, intermediate), expiring.keyPair().getPrivate());
                TestTlsServer b = TestTlsServer.tls(TestPki.certs(renewedFrom, intermediate),
                        renewedFrom.keyPair().getPrivate())) {
            current = endpoint(tenant, admin, "current", a.port(), null);
            replaced = endpoint(tenant, admin, "replaced", b.port(), null);
            scan(tenant, admin, current);
            scan(tenant, admin, replaced);
        }
        String group = as(admin).contentType(ContentType.JSON).body(Map.of("name", "alert-retention",
                        "minApiLevel", 30, "maxApiLevel", 34, "endpointIds", List.of(current, replaced)))
                .post("/api/v1/tenants/{t}/device-groups", tenant).then().statusCode(201).extract().path("id");
        DeviceFixtures.device(tenant, admin, group); // never reports: not COMPLIANT, the whole group is above the share

        watcher.checkNow(); // the three expiries fire; the group is above the share from now
        exec("UPDATE alert_group_state SET above_since = above_since - interval '2 hours' WHERE group_id = ?", group);
        watcher.checkNow(); // ... and has been for longer than trustfleet.alerts.noncompliant-for: reported
        String currentExpiry = "expiring/endpoint/" + current + "/" + expiring.sha256() + "/14";
        String replacedExpiry = "expiring/endpoint/" + replaced + "/" + renewedFrom.sha256() + "/14";
        String groupExpiry = "expiring/group/" + group + "/" + ROOT.sha256() + "/14";
        String noncompliant = "noncompliant/" + group + "/0";
        assertThat(keys(tenant)).contains(currentExpiry, replacedExpiry, groupExpiry, noncompliant);
        Map<String, Object> groupState = groupState(group);
        assertThat(groupState.get("reported")).isEqualTo(true);

        // the renewed certificate replaces the expiring one at the second endpoint: its expiry is history now
        try (TestTlsServer b = TestTlsServer.tls(TestPki.certs(renewed, intermediate), renewed.keyPair().getPrivate())) {
            endpoint(tenant, admin, "replaced", b.port(), replaced);
            scan(tenant, admin, replaced);
        }
        List<String> raised = keys(tenant);

        // the whole alert history of the tenant becomes old; no channel, so no delivery holds an event
        exec("UPDATE alert_event SET occurred_at = occurred_at - interval '400 days' WHERE tenant_id = ?", tenant);
        Map<String, Integer> deleted = runRetention();
        assertThat(deleted.get("alert-events")).isGreaterThanOrEqualTo(raised.size() - 2);

        // kept: the expiries whose certificate is still presented, or still delivered by the group (the event is what
        // keeps each from firing again)
        assertThat(keys(tenant)).containsExactlyInAnyOrder(currentExpiry, groupExpiry);
        watcher.checkNow();
        // nothing fired again: not the expiries, not the group's non-compliance
        assertThat(keys(tenant)).containsExactlyInAnyOrder(currentExpiry, groupExpiry);
        assertThat(groupState(group)).isEqualTo(groupState);
    }

    private Map<String, Integer> runRetention() throws Exception {
        Map<String, Integer> deleted = retention.run();
        while (deleted.isEmpty()) { // a scheduled run holds the lock: wait for it to end, then run
            try (Connection c = db.getConnection()) {
                lock(c);
                unlock(c);
            }
            deleted = retention.run();
        }
        return deleted;
    }

    private static void lock(Connection c) throws Exception {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_lock(?)")) {
            s.setLong(1, RetentionJob.LOCK_KEY);
            s.executeQuery().close();
        }
    }

    private static void unlock(Connection c) throws Exception {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            s.setLong(1, RetentionJob.LOCK_KEY);
            s.executeQuery().close();
        }
    }

    private UUID event(UUID tenant, Instant at) throws Exception {
        UUID id = UUID.randomUUID();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO alert_event (id, tenant_id, type, dedupe_key, occurred_at, document)
                VALUES (?, ?, 'TEST', ?, ?, CAST(? AS jsonb))""")) {
            s.setObject(1, id);
            s.setObject(2, tenant);
            s.setString(3, "test/" + id);
            s.setTimestamp(4, Timestamp.from(at));
            s.setString(5, "{\"id\":\"" + id + "\",\"type\":\"TEST\",\"summary\":\"retention test " + id + "\"}");
            s.executeUpdate();
        }
        return id;
    }

    /** A delivery to a deleted channel (so the worker never sends it); {@code next} is a pending row's next attempt. */
    private UUID delivery(UUID tenant, UUID event, String status, Instant created, Instant finishedAt, Instant next)
            throws Exception {
        UUID id = UUID.randomUUID();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO alert_delivery (id, tenant_id, event_id, channel_id, channel_name, status, attempts,
                                            created_at, next_attempt_at, last_attempt_at, finished_at,
                                            last_http_status)
                VALUES (?, ?, ?, NULL, 'retired hook', ?, 1, ?, ?, ?, ?, ?)""")) {
            s.setObject(1, id);
            s.setObject(2, tenant);
            s.setObject(3, event);
            s.setString(4, status);
            s.setTimestamp(5, Timestamp.from(created));
            s.setTimestamp(6, Timestamp.from(next != null ? next : finishedAt));
            s.setTimestamp(7, Timestamp.from(finishedAt != null ? finishedAt : Instant.now()));
            s.setTimestamp(8, finishedAt == null ? null : Timestamp.from(finishedAt));
            if ("PENDING".equals(status)) {
                s.setObject(9, null);
            } else {
                s.setInt(9, "DELIVERED".equals(status) ? 204 : 500);
            }
            s.executeUpdate();
        }
        return id;
    }

    private static List<Map<String, Object>> log(String tenant, String admin) {
        return as(admin).queryParam("limit", 100).get("/api/v1/tenants/{t}/alert-deliveries", tenant).then()
                .statusCode(200).extract().jsonPath().getList("$");
    }

    private static String endpoint(String tenant, String admin, String name, int port, String existing) {
        var body = as(admin).contentType(ContentType.JSON).body(Map.of("name", name, "host", "127.0.0.1",
                "port", port, "serverName", HOST));
        if (existing == null) {
            return body.post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201).extract().path("id");
        }
        body.put("/api/v1/tenants/{t}/endpoints/{e}", tenant, existing).then().statusCode(200);
        return existing;
    }

    private static void scan(String tenant, String admin, String endpoint) {
        as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, endpoint).then().statusCode(201)
                .body("status", org.hamcrest.Matchers.equalTo("OK"));
    }

    private List<String> keys(String tenant) throws Exception {
        List<String> keys = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT dedupe_key FROM alert_event WHERE tenant_id = ? ORDER BY seq")) {
            s.setObject(1, UUID.fromString(tenant));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    keys.add(r.getString(1));
                }
            }
        }
        return keys;
    }

    private List<UUID> ids(String sql, UUID tenant) throws Exception {
        List<UUID> ids = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, tenant);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getObject(1, UUID.class));
                }
            }
        }
        return ids;
    }

    private Map<String, Object> groupState(String group) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT above_since, reported, episode FROM alert_group_state WHERE group_id = ?")) {
            s.setObject(1, UUID.fromString(group));
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).isTrue();
                Map<String, Object> state = new LinkedHashMap<>();
                state.put("aboveSince", r.getTimestamp(1));
                state.put("reported", r.getBoolean(2));
                state.put("episode", r.getInt(3));
                return state;
            }
        }
    }

    private void exec(String sql, String id) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, UUID.fromString(id));
            s.executeUpdate();
        }
    }
}
