package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.oneOf;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.asOperator;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.payload.CmsPayloadVerifier;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.Certificates;
import org.trustfleet.pki.SignatureVerdicts;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.policy.RecomputeSweep;
import org.trustfleet.policy.RequirementsService;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * A platform store change reaches every group through the background recompute queue: each group gets its new
 * version, devices keep receiving payloads (the previous version, then the new one, never an error) while the sweep
 * runs, and groups left pending (a replica that stopped mid-way) are computed by the next sweep of any replica.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class StoreChangeRecomputeTest {
    static final int LEVEL = 77; // only this class's operator store serves it
    static final String STORE = "store-change-recompute-" + LEVEL;
    static final String HOST = "sts.store-change.test";
    static final Cert OLD_ROOT = TestPki.root("Store Change Old Root");
    static final Cert NEW_ROOT = TestPki.root("Store Change New Root");
    static final int GROUPS = 40;

    @Inject
    AgroalDataSource db;
    @Inject
    RecomputeSweep sweep;
    @Inject
    RequirementsService requirements;

    private TestTlsServer server;
    private String tenant;
    private String admin;
    private final List<String> groups = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        store(List.of(OLD_ROOT.cert()));
        String[] t = ApiFixtures.tenantWithAdmin("store-change");
        tenant = t[0];
        admin = t[1];
        Cert intermediate = NEW_ROOT.issueIntermediate("Store Change Issuing CA");
        Cert leaf = intermediate.issueLeaf(HOST);
        // the server sends its root too: the only place the group can learn it from before the store change
        server = TestTlsServer.tls(TestPki.certs(leaf, intermediate, NEW_ROOT), leaf.keyPair().getPrivate());
        String endpoint = as(admin).contentType(ContentType.JSON).body(Map.of("name", "sts", "host", "127.0.0.1",
                        "port", server.port(), "serverName", HOST))
                .post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201).extract().path("id");
        as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, endpoint).then().statusCode(201);
        for (int i = 0; i < GROUPS; i++) {
            groups.add(as(admin).contentType(ContentType.JSON).body(Map.of("name", "level-77-" + i,
                            "minApiLevel", LEVEL, "maxApiLevel", LEVEL))
                    .post("/api/v1/tenants/{t}/device-groups", tenant).then().statusCode(201).extract()
                    .path("id"));
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
    }

    @Test
    void aStoreChangeReachesEveryGroupWhileDevicesKeepReceivingPayloads() throws Exception {
        for (String group : groups) {
            assertThat(certificates(group)).containsExactly(NEW_ROOT.sha256()); // computes version 1
        }
        DeviceFixtures.Device device = DeviceFixtures.device(tenant, admin, groups.get(0));
        assertThat(payloadVersion(device)).isEqualTo(1);

        AtomicBoolean sweeping = new AtomicBoolean(true);
        CompletableFuture<List<Long>> fetched = CompletableFuture.supplyAsync(() -> {
            List<Long> versions = new ArrayList<>();
            while (sweeping.get()) {
                versions.add(payloadVersion(device));
            }
            versions.add(payloadVersion(device));
            return versions;
        });
        store(List.of(OLD_ROOT.cert(), NEW_ROOT.cert())); // the new root reaches level 77
        // observed in the table, not through the API (whose reads compute a pending group themselves)
        waitUntil(() -> pending() == 0 && versions().stream().allMatch(v -> v == 2));
        sweeping.set(false);
        List<Long> versions = fetched.get();

        assertThat(versions).as("every fetch during the sweep got a payload, old then new").isSorted()
                .allMatch(v -> v == 1 || v == 2);
        assertThat(versions.get(versions.size() - 1)).isEqualTo(2);
        for (String group : groups) {
            assertThat(certificates(group)).isEmpty();
        }
        // the sweep's batches raised one event per group for its new version, saying what it removed
        List<String[]> events = requirementEvents(2);
        assertThat(events).extracting(e -> e[0]).containsExactlyInAnyOrderElementsOf(groups);
        assertThat(events).extracting(e -> e[1] + " " + e[2]).containsOnly("[\"" + NEW_ROOT.sha256() + "\"] []");
    }

    /** The tenant's REQUIREMENTS_CHANGED events for a version: group id, removed and added fingerprints (JSON). */
    private List<String[]> requirementEvents(long version) throws Exception {
        List<String[]> out = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT document #>> '{data,groupId}', CAST(jsonb_path_query_array(document, '$.data.removed[*].sha256')
                    AS text), CAST(jsonb_path_query_array(document, '$.data.added[*].sha256') AS text)
                FROM alert_event WHERE tenant_id = ? AND type = 'REQUIREMENTS_CHANGED'
                  AND CAST(document #>> '{data,version}' AS bigint) = ?""")) {
            s.setObject(1, UUID.fromString(tenant));
            s.setLong(2, version);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new String[] {r.getString(1), r.getString(2), r.getString(3)});
                }
            }
        }
        return out;
    }

    @Test
    void aSecondStoreChangeRightAfterTheFirstFindsNoGroupHeldByTheFirstSweepsLease() throws Exception {
        for (String group : groups) {
            assertThat(certificates(group)).containsExactly(NEW_ROOT.sha256());
        }
        store(List.of(OLD_ROOT.cert(), NEW_ROOT.cert()));
        waitUntil(() -> pending() == 0 && versions().stream().allMatch(v -> v == 2));
        // the sweep's leases end with its writes: the next change's sweep may claim every group at once
        assertThat(leased()).isZero();

        store(List.of(OLD_ROOT.cert()));
        waitUntil(() -> pending() == 0 && versions().stream().allMatch(v -> v == 3));
        assertThat(leased()).isZero();
        for (String group : groups) {
            assertThat(certificates(group)).containsExactly(NEW_ROOT.sha256());
        }
    }

    @Test
    void aSweepFirstReadsTheSignatureVerdictsOtherReplicasWrote() throws Exception {
        for (String group : groups) {
            certificates(group);
        }
        // a leaf this replica has never checked, whose verdict another replica wrote (false: so that it shows)
        Cert issuer = NEW_ROOT.issueIntermediate("Store Change Other Replica's CA");
        X509Certificate leaf = issuer.issueLeaf("other-replica.store-change.test").cert();
        byte[] id = SignatureVerdicts.keyOf(leaf.getSigAlgName(), null, issuer.cert().getPublicKey(),
                leaf.getTBSCertificate(), leaf.getSignature()).bytes();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO signature_verdict (id, verifies) VALUES (?, false)")) {
            s.setBytes(1, id);
            s.executeUpdate();
        }

        store(List.of(OLD_ROOT.cert(), NEW_ROOT.cert()));
        waitUntil(() -> pending() == 0 && versions().stream().allMatch(v -> v == 2));

        assertThat(Certificates.verifies(leaf, issuer.cert().getPublicKey()))
                .as("answered from what the sweep read, not checked").isFalse();
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("DELETE FROM signature_verdict WHERE id = ?")) {
            s.setBytes(1, id);
            s.executeUpdate();
        }
    }

    /** The tenant's groups whose recompute lease has not run out. */
    private long leased() throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT count(*) FROM group_requirements
                WHERE tenant_id = ? AND recompute_lease_until > now()""")) {
            s.setObject(1, UUID.fromString(tenant));
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    @Test
    void aSweepBatchComputesItsTenantsGroupsAndSkipsDeletedOnesAndOtherTenants() {
        UUID tenantId = UUID.fromString(tenant);
        List<UUID> batch = List.of(UUID.fromString(groups.get(0)), UUID.randomUUID(), UUID.fromString(groups.get(1)));
        assertThat(requirements.recomputeTenants(Map.of(tenantId, batch))).as("the deleted group is skipped")
                .isEqualTo(2);
        assertThat(requirements.recomputeTenants(Map.of(UUID.randomUUID(), batch))).as("another tenant's groups")
                .isZero();
        assertThat(certificates(groups.get(0))).containsExactly(NEW_ROOT.sha256());
    }

    @Test
    void aBatchOfSeveralTenantsComputesEachGroupFromItsOwnTenantsEndpointsAndAnchors() throws Exception {
        // another tenant whose endpoint chains to another root, which it holds as an anchor: its group needs that
        // root (as an anchor), where this class's tenant needs NEW_ROOT
        Cert otherRoot = TestPki.root("Store Change Other Tenant Root");
        Cert otherIntermediate = otherRoot.issueIntermediate("Store Change Other Issuing CA");
        Cert otherLeaf = otherIntermediate.issueLeaf(HOST);
        String[] other = ApiFixtures.tenantWithAdmin("store-change-other");
        try (TestTlsServer otherServer = TestTlsServer.tls(TestPki.certs(otherLeaf, otherIntermediate),
                otherLeaf.keyPair().getPrivate())) {
            as(other[1]).contentType(ContentType.JSON).body(Map.of("pem", CertificateEncoder.toPem(
                            List.of(otherRoot.cert())))).post("/api/v1/tenants/{t}/anchors", other[0])
                    .then().statusCode(201);
            String endpoint = as(other[1]).contentType(ContentType.JSON).body(Map.of("name", "sts",
                            "host", "127.0.0.1", "port", otherServer.port(), "serverName", HOST))
                    .post("/api/v1/tenants/{t}/endpoints", other[0]).then().statusCode(201).extract().path("id");
            as(other[1]).post("/api/v1/tenants/{t}/endpoints/{e}/scans", other[0], endpoint).then().statusCode(201);
            String otherGroup = as(other[1]).contentType(ContentType.JSON).body(Map.of("name", "level-77",
                            "minApiLevel", LEVEL, "maxApiLevel", LEVEL))
                    .post("/api/v1/tenants/{t}/device-groups", other[0]).then().statusCode(201).extract()
                    .path("id");
            List<String> otherSet = as(other[1])
                    .get("/api/v1/tenants/{t}/device-groups/{g}/requirements", other[0], otherGroup).then()
                    .statusCode(200).extract().jsonPath().getList("certificates.sha256");
            assertThat(otherSet).containsExactly(otherRoot.sha256());
            Map<String, Instant> before = computedAt(List.of(groups.get(0), groups.get(1), groups.get(2),
                    otherGroup));

            UUID tenantId = UUID.fromString(tenant);
            UUID otherId = UUID.fromString(other[0]);
            Map<UUID, List<UUID>> batch = new java.util.LinkedHashMap<>();
            batch.put(otherId, List.of(UUID.fromString(otherGroup), UUID.fromString(groups.get(2))));
            batch.put(tenantId, List.of(UUID.fromString(groups.get(1)), UUID.randomUUID(),
                    UUID.fromString(groups.get(0))));
            assertThat(requirements.recomputeTenants(batch))
                    .as("a group listed under another tenant and a deleted one are skipped").isEqualTo(3);

            Map<String, Instant> after = computedAt(List.of(groups.get(0), groups.get(1), groups.get(2),
                    otherGroup));
            for (String computed : List.of(groups.get(0), groups.get(1), otherGroup)) {
                assertThat(after.get(computed)).as("computed again").isAfter(before.get(computed));
            }
            assertThat(after.get(groups.get(2))).as("listed under another tenant").isEqualTo(before.get(groups.get(2)));
            assertThat(as(other[1]).get("/api/v1/tenants/{t}/device-groups/{g}/requirements", other[0], otherGroup)
                    .then().statusCode(200).extract().jsonPath().<String>getList("certificates.sha256"))
                    .as("from its own tenant's endpoint and anchor").isEqualTo(otherSet);
            assertThat(certificates(groups.get(0))).containsExactly(NEW_ROOT.sha256());
            assertThat(certificates(groups.get(1))).containsExactly(NEW_ROOT.sha256());
        }
    }

    private Map<String, Instant> computedAt(List<String> groupIds) throws Exception {
        Map<String, Instant> out = new java.util.HashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT group_id, computed_at FROM group_requirements WHERE group_id = ANY(?)")) {
            s.setArray(1, c.createArrayOf("uuid", groupIds.stream().map(UUID::fromString).toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.put(r.getString(1), r.getTimestamp(2).toInstant());
                }
            }
        }
        assertThat(out.keySet()).containsExactlyInAnyOrderElementsOf(groupIds);
        return out;
    }

    @Test
    void aStoreChangeMarksTheGroupsWithinItsTransactionAndLeavesNoConnectionOpenAtCommit() throws Exception {
        for (String group : groups) {
            assertThat(certificates(group)).containsExactly(NEW_ROOT.sha256()); // computes version 1
        }
        // the pool closes, and warns about, a connection still open when a transaction commits: one taken while
        // the transaction was already completing, after the ORM session had handed its connection back
        List<String> poolWarnings = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    poolWarnings.add(new SimpleFormatter().formatMessage(record));
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger pool = Logger.getLogger("io.agroal.pool");
        pool.addHandler(handler);
        try {
            store(List.of(OLD_ROOT.cert(), NEW_ROOT.cert()));
        } finally {
            pool.removeHandler(handler);
        }
        assertThat(poolWarnings).noneMatch(warning -> warning.contains("open connection"));
        waitUntil(() -> pending() == 0 && versions().stream().allMatch(v -> v == 2));
    }

    @Test
    void groupsLeftPendingByAReplicaThatStoppedAreComputedByTheNextSweep() throws Exception {
        for (String group : groups) {
            certificates(group);
        }
        Instant before = Instant.now();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                UPDATE group_requirements SET recompute_wanted = recompute_done + 1,
                       recompute_lease_until = now() - interval '1 second'
                WHERE tenant_id = ?""")) {
            s.setObject(1, UUID.fromString(tenant));
            assertThat(s.executeUpdate()).isEqualTo(GROUPS);
        }
        sweep.wake();
        waitUntil(() -> pending() == 0);
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT min(computed_at), max(version) FROM group_requirements WHERE tenant_id = ?")) {
            s.setObject(1, UUID.fromString(tenant));
            try (ResultSet r = s.executeQuery()) {
                r.next();
                assertThat(r.getTimestamp(1).toInstant()).isAfterOrEqualTo(before.minusMillis(1));
                assertThat(r.getLong(2)).as("same inputs, same set: no new version").isEqualTo(1);
            }
        }
    }

    @Test
    void devicesAreJudgedAgainstTheDeliveredVersionWhileTheirGroupIsPending() throws Exception {
        for (String group : groups) {
            assertThat(certificates(group)).containsExactly(NEW_ROOT.sha256()); // version 1
        }
        DeviceFixtures.Device device = DeviceFixtures.device(tenant, admin, groups.get(0));
        as(device.token()).contentType(ContentType.JSON)
                .body(Map.of("payloadVersion", 1, "installed", List.of(NEW_ROOT.sha256()), "failures", List.of(),
                        "apiLevel", LEVEL))
                .post("/api/v1/device/reports").then().statusCode(202);
        // a store change has marked the groups and another replica holds their lease: pending for a while
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                UPDATE group_requirements SET recompute_wanted = recompute_done + 1,
                       recompute_lease_until = now() + interval '1 hour'
                WHERE tenant_id = ?""")) {
            s.setObject(1, UUID.fromString(tenant));
            assertThat(s.executeUpdate()).isEqualTo(GROUPS);
        }
        // the device holds what it is delivered (version 1, which stays delivered until the next one commits), and
        // judging it, listing the devices or reporting on the tenant does not compute the pending groups
        assertThat(as(admin).get("/api/v1/tenants/{t}/devices/{d}", tenant, device.id()).then().statusCode(200)
                .extract().<String>path("compliance.state")).isEqualTo("COMPLIANT");
        assertThat(as(admin).get("/api/v1/tenants/{t}/devices", tenant).then().statusCode(200).extract()
                .<List<String>>path("compliance.state")).containsExactly("COMPLIANT");
        assertThat(as(admin).get("/api/v1/tenants/{t}/drift-report", tenant).then().statusCode(200).extract()
                .<Integer>path("devices.byState.COMPLIANT")).isEqualTo(1);
        assertThat(pending()).isEqualTo(GROUPS);
        assertThat(payloadVersion(device)).isEqualTo(1);

        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE group_requirements SET recompute_lease_until = NULL WHERE tenant_id = ?")) {
            s.setObject(1, UUID.fromString(tenant));
            s.executeUpdate();
        }
        sweep.wake();
        waitUntil(() -> pending() == 0);
    }

    @Test
    void recomputesOfOneGroupTakeTurnsWithEachOtherAndWithAStoreChange() throws Exception {
        for (String group : groups) {
            assertThat(certificates(group)).containsExactly(NEW_ROOT.sha256()); // version 1
        }
        // four threads recompute the tenant's groups in batches, as the sweep does, while store changes mark every
        // row: they take turns on the rows (a batch that read its inputs before the change cannot write after
        // one that read them after it) and never deadlock with the marking
        List<UUID> ids = groups.stream().map(UUID::fromString).toList();
        List<Callable<Object>> work = new ArrayList<>();
        for (int thread = 0; thread < 4; thread++) {
            work.add(() -> {
                for (int round = 0; round < 5; round++) {
                    requirements.recomputeTenants(Map.of(UUID.fromString(tenant), ids));
                }
                return null;
            });
        }
        work.add(() -> {
            // the new root in, out and in again: three markings of every row while the batches run
            store(List.of(OLD_ROOT.cert(), NEW_ROOT.cert()));
            store(List.of(OLD_ROOT.cert()));
            store(List.of(OLD_ROOT.cert(), NEW_ROOT.cert()));
            return null;
        });
        ExecutorService pool = Executors.newFixedThreadPool(work.size());
        try {
            for (Future<Object> done : pool.invokeAll(work)) {
                done.get(); // a recompute that failed (a duplicate version, a deadlock) fails the test here
            }
        } finally {
            pool.shutdown();
        }
        waitUntil(() -> pending() == 0);
        for (String group : groups) {
            assertThat(certificates(group)).as("computed with the new store").isEmpty();
            List<Long> history = history(group);
            assertThat(history).as("one row per version, none skipped").isNotEmpty()
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(1, history.size()).boxed().toList());
        }
    }

    private List<Long> history(String group) throws Exception {
        return versions("SELECT version FROM group_requirements_version WHERE group_id = ? ORDER BY version", group);
    }

    private static void store(List<X509Certificate> roots) {
        asOperator().contentType(ContentType.JSON).body(Map.of("name", STORE, "platform", "android",
                        "apiLevel", LEVEL, "pem", CertificateEncoder.toPem(roots)))
                .post("/api/v1/trust-stores").then().statusCode(oneOf(200, 201));
    }

    private List<String> certificates(String group) {
        return as(admin).get("/api/v1/tenants/{t}/device-groups/{g}/requirements", tenant, group).then()
                .statusCode(200).extract().jsonPath().getList("certificates.sha256");
    }

    private static long payloadVersion(DeviceFixtures.Device device) {
        Response response = as(device.token()).get("/api/v1/device/payload");
        assertThat(response.statusCode()).isEqualTo(200);
        try {
            return new CmsPayloadVerifier(Clock.systemUTC()).verify(response.asByteArray(), device.root(),
                    UUID.fromString(device.tenantId())).document().version();
        } catch (Exception e) {
            throw new AssertionError("the payload does not verify", e);
        }
    }

    private long pending() throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT count(*) FROM group_requirements
                WHERE tenant_id = ? AND recompute_wanted > recompute_done""")) {
            s.setObject(1, UUID.fromString(tenant));
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private List<Long> versions() throws Exception {
        List<Long> versions = versions("SELECT version FROM group_requirements WHERE tenant_id = ?", tenant);
        assertThat(versions).hasSize(GROUPS);
        return versions;
    }

    /** The versions the query selects for one id (a group or a tenant). */
    private List<Long> versions(String sql, String id) throws Exception {
        List<Long> versions = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, UUID.fromString(id));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    versions.add(r.getLong(1));
                }
            }
        }
        return versions;
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** The sweep runs in the background; a generous bound, as the work is milliseconds per group. */
    private static void waitUntil(Condition condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!condition.holds()) {
            assertThat(System.nanoTime()).as("the sweep finished within two minutes").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
