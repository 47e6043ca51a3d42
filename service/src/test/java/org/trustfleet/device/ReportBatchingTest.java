package org.trustfleet.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.trustfleet.testing.Contract.as;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.DeviceFixtures.Device;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * Reports stored in group commits ({@link ReportBatcher}): under concurrent reports every accepted report is stored
 * and each device's compliance is what the compliance rule gives for its last report; a batch holding a report the
 * database refuses still stores the others; a full queue refuses at once with 503 and Retry-After.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class ReportBatchingTest {
    static final TestPki.Cert ANCHOR = TestPki.root("Report Batching Root");
    static final TestPki.Cert OTHER = TestPki.root("Report Batching Other Root");

    @Inject
    AgroalDataSource db;
    @Inject
    Clock clock;
    @Inject
    TrustfleetConfig config;

    @Test
    void concurrentReportsAreAllStoredAndComplianceFollowsTheRule() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("report-batching");
        String tenant = t[0];
        String admin = t[1];
        as(admin).contentType(ContentType.JSON).body(Map.of("pem", CertificateEncoder.toPem(List.of(ANCHOR.cert()))))
                .post("/api/v1/tenants/{t}/anchors", tenant).then().statusCode(201);
        String group = DeviceFixtures.group(tenant, admin, "batching", List.of(ANCHOR.sha256()));
        long version = as(admin).get("/api/v1/tenants/{t}/device-groups/{g}/requirements", tenant, group).then()
                .statusCode(200).extract().jsonPath().getLong("version");
        int devices = 24;
        int reportsEach = 3;
        List<Device> fleet = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            fleet.add(DeviceFixtures.device(tenant, admin, group));
        }
        // each device sends its reports in order (as an agent does); the devices all at once
        Map<String, List<Map<String, Object>>> sent = new LinkedHashMap<>();
        for (int i = 0; i < devices; i++) {
            List<Map<String, Object>> reports = new ArrayList<>();
            for (int r = 0; r < reportsEach; r++) {
                reports.add(report((i + r) % 4, version));
            }
            sent.put(fleet.get(i).id(), reports);
        }
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(devices);
        List<Future<List<Integer>>> answers = new ArrayList<>();
        try {
            for (Device d : fleet) {
                answers.add(pool.submit(() -> {
                    go.await();
                    List<Integer> statuses = new ArrayList<>();
                    for (Map<String, Object> body : sent.get(d.id())) {
                        statuses.add(as(d.token()).contentType(ContentType.JSON).body(body)
                                .post("/api/v1/device/reports").statusCode());
                    }
                    return statuses;
                }));
            }
            go.countDown();
            for (Future<List<Integer>> f : answers) {
                assertThat(f.get()).containsOnly(202);
            }
        } finally {
            pool.shutdownNow();
        }

        // every accepted report was stored: the count per device, and the last one is the one kept
        Map<String, Long> received = new HashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT id, reports_received FROM device WHERE tenant_id = ?")) {
            s.setObject(1, UUID.fromString(tenant));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    received.put(r.getObject(1, UUID.class).toString(), r.getLong(2));
                }
            }
        }
        assertThat(received).hasSize(devices).allSatisfy((id, n) -> assertThat(n).isEqualTo((long) reportsEach));

        // compliance as listed equals the rule applied to the last report sent, and every state occurs
        JsonPath list = new JsonPath(as(admin).queryParam("limit", 1000).get("/api/v1/tenants/{t}/devices", tenant)
                .then().statusCode(200).extract().asString());
        List<Map<String, Object>> views = list.getList("$");
        assertThat(views).hasSize(devices);
        List<String> states = new ArrayList<>();
        for (Map<String, Object> view : views) {
            List<Map<String, Object>> mine = sent.get((String) view.get("id"));
            Map<String, Object> last = mine.get(mine.size() - 1);
            @SuppressWarnings("unchecked")
            List<String> installed = (List<String>) last.get("installed");
            @SuppressWarnings("unchecked")
            List<Map<String, String>> failures = (List<Map<String, String>>) last.get("failures");
            ComplianceView expected = Compliance.evaluate(clock.instant(), config.device().staleAfter(),
                    Instant.parse((String) view.get("lastSeenAt")), version, List.of(ANCHOR.sha256()),
                    new Compliance.Report(((Number) last.get("payloadVersion")).longValue(), installed,
                            failures.stream().map(f -> new ReportedFailure(f.get("sha256"), f.get("error"))).toList()));
            @SuppressWarnings("unchecked")
            Map<String, Object> compliance = (Map<String, Object>) view.get("compliance");
            assertThat(compliance.get("state")).as("device %s", view.get("id")).isEqualTo(expected.state().name());
            assertThat(compliance.get("missing")).isEqualTo(expected.missing());
            assertThat(compliance.get("unexpected")).isEqualTo(expected.unexpected());
            states.add(expected.state().name());
        }
        assertThat(states).contains("COMPLIANT", "DRIFTED", "FAILED", "PENDING");
    }

    @Test
    void aReportTheDatabaseRefusesGetsItsOwnErrorAndTheRestOfItsBatchIsStored() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("report-poison");
        List<Device> fleet = new ArrayList<>();
        String group = DeviceFixtures.group(t[0], t[1], "poison", List.of());
        for (int i = 0; i < 5; i++) {
            fleet.add(DeviceFixtures.device(t[0], t[1], group));
        }
        UUID poisoned = UUID.fromString(fleet.get(2).id());
        exec("CREATE FUNCTION test_refuse_report() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " RAISE EXCEPTION 'refused by the test'; END $$");
        exec("CREATE TRIGGER test_refuse_report BEFORE UPDATE OF reported_at ON device FOR EACH ROW"
                + " WHEN (NEW.id = '" + poisoned + "') EXECUTE FUNCTION test_refuse_report()");
        ReportBatcher batcher = new ReportBatcher(db, clock, 100, 100, Duration.ofMinutes(1));
        try {
            List<ReportBatcher.Pending> batch = new ArrayList<>();
            for (Device d : fleet) {
                batch.add(new ReportBatcher.Pending(new ReportBatcher.StoredReport(UUID.fromString(d.id()), 7,
                        "[]", "[]", 95)));
            }
            batcher.write(batch); // one batch, as the writer would take it
            for (ReportBatcher.Pending p : batch) {
                if (p.report().deviceId().equals(poisoned)) {
                    assertThat(p.stored()).isCompletedExceptionally();
                } else {
                    assertThat(p.stored()).isCompleted().isNotCompletedExceptionally();
                }
            }
            assertThat(reportedVersions(t[0])).containsEntry(poisoned, null).hasSize(5)
                    .allSatisfy((id, v) -> assertThat(v).isEqualTo(id.equals(poisoned) ? null : 7L));
        } finally {
            batcher.close();
            exec("DROP TRIGGER test_refuse_report ON device");
            exec("DROP FUNCTION test_refuse_report()");
        }
    }

    @Test
    void aFullQueueRefusesAtOnceWithRetryAfterAndDrainsOnceTheDatabaseAnswers() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("report-backpressure");
        String group = DeviceFixtures.group(t[0], t[1], "backpressure", List.of());
        Device blocker = DeviceFixtures.device(t[0], t[1], group);
        List<Device> fleet = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            fleet.add(DeviceFixtures.device(t[0], t[1], group));
        }
        int capacity = 4;
        ReportBatcher batcher = new ReportBatcher(db, clock, 1, capacity, Duration.ofMinutes(1));
        ExecutorService pool = Executors.newFixedThreadPool(capacity + 1);
        List<Future<?>> waiting = new ArrayList<>();
        try (Connection lock = db.getConnection()) {
            // hold the blocker's row: the writer's first statement waits on it, so nothing leaves the queue
            lock.setAutoCommit(false);
            try (Statement s = lock.createStatement()) {
                s.execute("SELECT 1 FROM device WHERE id = '" + blocker.id() + "' FOR UPDATE");
            }
            waiting.add(pool.submit(() -> batcher.store(stored(blocker))));
            await().atMost(Duration.ofMinutes(1)).until(() -> batcher.queued() == 0 && !waiting.get(0).isDone());
            for (Device d : fleet) {
                waiting.add(pool.submit(() -> batcher.store(stored(d))));
            }
            await().atMost(Duration.ofMinutes(1)).until(() -> batcher.queued() == capacity);

            assertThatThrownBy(() -> batcher.store(stored(blocker))).isInstanceOfSatisfying(TrustfleetException.class,
                    e -> {
                        assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
                        assertThat(e.retryAfter()).contains(ReportBatcher.RETRY_AFTER);
                    });
            assertThat(waiting).noneMatch(Future::isDone); // nobody was told 202 while nothing was stored
            lock.rollback();
        }
        try {
            for (Future<?> f : waiting) {
                f.get(); // each stored once the row lock is gone
            }
            assertThat(reportedVersions(t[0])).hasSize(5).allSatisfy((id, v) -> assertThat(v).isEqualTo(3L));
        } finally {
            pool.shutdownNow();
            batcher.close();
        }
    }

    private static ReportBatcher.StoredReport stored(Device d) {
        return new ReportBatcher.StoredReport(UUID.fromString(d.id()), 3, "[]", "[]", 95);
    }

    private static Map<String, Object> report(int kind, long version) {
        return switch (kind) {
            case 0 -> Map.of("payloadVersion", version, "installed", List.of(ANCHOR.sha256()), "failures", List.of(),
                    "apiLevel", 95);
            case 1 -> Map.of("payloadVersion", version, "installed", List.of(ANCHOR.sha256(), OTHER.sha256()),
                    "failures", List.of(), "apiLevel", 95);
            case 2 -> Map.of("payloadVersion", version, "installed", List.of(), "failures",
                    List.of(Map.of("sha256", ANCHOR.sha256(), "error", "user declined")), "apiLevel", 95);
            default -> Map.of("payloadVersion", Math.max(0, version - 1), "installed", List.of(), "failures",
                    List.of(), "apiLevel", 95);
        };
    }

    private Map<UUID, Long> reportedVersions(String tenant) throws Exception {
        Map<UUID, Long> out = new HashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT id, reported_version FROM device WHERE tenant_id = ?")) {
            s.setObject(1, UUID.fromString(tenant));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    UUID id = r.getObject(1, UUID.class);
                    long v = r.getLong(2);
                    out.put(id, r.wasNull() ? null : v);
                }
            }
        }
        return out;
    }

    private void exec(String sql) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
