package org.trustfleet.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.DeviceFixtures.Device;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.testing.ShiftedClock;
import org.trustfleet.testing.ShiftedClockProfile;

/**
 * The device tally (V36) that the drift report, the alert checks and the group metrics count devices from: after every
 * kind of change to devices it holds exactly what grouping the device rows gives, concurrent changes of the same keys
 * neither deadlock nor miscount, every device has its one last-seen row (V37), and stale devices are told apart by
 * their exact last-seen time on the limit's day.
 */
@QuarkusTest
@TestProfile(ShiftedClockProfile.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class DeviceTallyTest {
    private static final String STRANGER = "ab".repeat(32);

    @Inject
    AgroalDataSource db;
    @Inject
    DeviceService devices;
    @Inject
    DeviceAuthService auth;
    @Inject
    TrustfleetConfig config;

    private String tenant;
    private String admin;

    @BeforeEach
    void setUp() {
        String[] t = ApiFixtures.tenantWithAdmin("device-tally");
        tenant = t[0];
        admin = t[1];
    }

    /** One change to the tenant's devices, as the product or another writer of the table makes it. */
    private record Step(String name, Runnable change) {}

    @Test
    void theTallyHoldsWhatTheDeviceRowsHoldAfterEveryKindOfChange() {
        String first = DeviceFixtures.group(tenant, admin, "tally-a", List.of());
        String second = DeviceFixtures.group(tenant, admin, "tally-b", List.of());
        long version = version(first);
        List<Device> enrolled = new ArrayList<>();
        String enrollment = DeviceFixtures.enrollmentToken(tenant, admin, first, 10);
        List<Step> steps = List.of(
                new Step("enrolled into two groups", () -> {
                    for (int i = 0; i < 3; i++) {
                        enrolled.add(DeviceFixtures.device(tenant, admin, first));
                        enrolled.add(DeviceFixtures.device(tenant, admin, second));
                    }
                }),
                new Step("reports of the group's set", () -> enrolled.subList(0, 4)
                        .forEach(d -> report(d, version, List.of(), List.of()))),
                new Step("a report repeated unchanged", () -> report(enrolled.get(0), version, List.of(), List.of())),
                new Step("a drifted report", () -> report(enrolled.get(1), version, List.of(STRANGER), List.of())),
                new Step("a report with failures", () -> report(enrolled.get(2), version, List.of(),
                        List.of(Map.of("sha256", STRANGER, "error", "denied")))),
                new Step("enrolled twice under one hardware id", () -> {
                    DeviceFixtures.enroll(enrollment, "hw-tally-" + tenant);
                    DeviceFixtures.enroll(enrollment, "hw-tally-" + tenant);
                }),
                new Step("revoked", () -> as(admin).delete("/api/v1/tenants/{t}/devices/{d}", tenant,
                        enrolled.get(3).id()).then().statusCode(204)),
                new Step("last seen later", () -> sql("UPDATE device_seen SET last_seen_at = last_seen_at"
                        + " + interval '1 day' WHERE tenant_id = ?::uuid", tenant)),
                new Step("their group deleted", () -> as(admin).delete("/api/v1/tenants/{t}/device-groups/{g}",
                        tenant, second).then().statusCode(204)),
                new Step("a device row deleted", () -> sql("DELETE FROM device WHERE id = ?::uuid",
                        enrolled.get(4).id())));
        for (Step step : steps) {
            step.change().run();
            assertThat(tally(tenant)).as("after: " + step.name()).isEqualTo(grouped(tenant)).isNotEmpty();
            assertThat(lastSeenRows(tenant)).as("last-seen rows after: " + step.name())
                    .isEqualTo(deviceRows(tenant)).isNotEmpty();
        }
        sql("DELETE FROM tenant WHERE id = ?::uuid", tenant);
        assertThat(tally(tenant)).as("the tenant deleted").isEmpty();
        assertThat(lastSeenRows(tenant)).as("last-seen rows, the tenant deleted").isEmpty();
    }

    /**
     * Transactions that move devices between the same keys, in opposite directions, at once: each locks the keys it
     * counts in one order, so none waits for another in a cycle (a deadlock would fail the transaction here).
     */
    @Test
    void concurrentChangesOfTheSameKeysNeitherDeadlockNorMiscount() throws Exception {
        String group = DeviceFixtures.group(tenant, admin, "tally-concurrent", List.of());
        int threads = 6;
        List<Device> enrolled = new ArrayList<>();
        for (int i = 0; i < threads * 2; i++) {
            enrolled.add(DeviceFixtures.device(tenant, admin, group));
        }
        List<String> contents = List.of("[]", "[\"" + STRANGER + "\"]", "[\"" + "cd".repeat(32) + "\"]");
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<UUID> own = List.of(UUID.fromString(enrolled.get(2 * t).id()),
                        UUID.fromString(enrolled.get(2 * t + 1).id()));
                Random random = new Random(t);
                done.add(pool.submit((Callable<Integer>) () -> {
                    int committed = 0;
                    for (int i = 0; i < 40; i++) {
                        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                                UPDATE device AS d SET reported_version = v.version, reported_installed = v.installed,
                                    reported_failures = '[]', revoked_at = CASE WHEN v.revoked THEN now() END
                                FROM unnest(?::uuid[], ?::bigint[], ?::text[], ?::boolean[])
                                    AS v(id, version, installed, revoked)
                                WHERE d.id = v.id""")) {
                            s.setArray(1, c.createArrayOf("uuid", own.toArray()));
                            s.setArray(2, c.createArrayOf("bigint", new Long[] {1L + random.nextInt(2),
                                    1L + random.nextInt(2)}));
                            s.setArray(3, c.createArrayOf("text", new String[] {
                                    contents.get(random.nextInt(3)), contents.get(random.nextInt(3))}));
                            s.setArray(4, c.createArrayOf("boolean", new Boolean[] {random.nextInt(5) == 0,
                                    random.nextInt(5) == 0}));
                            committed += s.executeUpdate() == 2 ? 1 : 0;
                        }
                    }
                    return committed;
                }));
            }
            for (Future<Integer> f : done) {
                assertThat(f.get()).isEqualTo(40);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(tally(tenant)).isEqualTo(grouped(tenant));
    }

    /**
     * The counts subtract stale devices found through their last-seen day: devices last seen just before and just
     * after the staleness limit, on its own day, and on days before and after it, are counted as each device's own
     * view judges it.
     */
    @Test
    void staleDevicesAreToldApartByTheirExactLastSeenTime() {
        ShiftedClock clock = ShiftedClock.INSTANCE;
        // the limit (now - stale-after) at about 12:00 UTC, so its day holds times an hour either side of it
        Instant now = clock.instant();
        Instant noon = now.atZone(ZoneOffset.UTC).toLocalDate().atTime(12, 0).toInstant(ZoneOffset.UTC);
        clock.advance(Duration.between(now, noon.isAfter(now) ? noon : noon.plus(Duration.ofDays(1))));
        String group = DeviceFixtures.group(tenant, admin, "tally-stale", List.of());
        long version = version(group);
        Instant limit = clock.instant().minus(config.device().staleAfter());
        // 20 minutes either side: far more than the test takes, so no device crosses the limit while it runs
        List<Duration> fromLimit = List.of(Duration.ofDays(-3), Duration.ofMinutes(-50), Duration.ofMinutes(-20),
                Duration.ofMinutes(20), Duration.ofMinutes(50), Duration.ofDays(2), Duration.ofDays(7));
        List<Device> enrolled = new ArrayList<>();
        for (int i = 0; i < fromLimit.size(); i++) {
            Device device = DeviceFixtures.device(tenant, admin, group);
            report(device, version, List.of(), List.of());
            enrolled.add(device);
        }
        auth.flushSeen(); // the sightings noted so far are written now, not over the times set below
        for (int i = 0; i < fromLimit.size(); i++) {
            Device device = enrolled.get(i);
            Duration shift = fromLimit.get(i);
            sql("UPDATE device_seen SET last_seen_at = ?::timestamptz WHERE device_id = ?::uuid",
                    limit.plus(shift).truncatedTo(ChronoUnit.MILLIS).toString(), device.id());
        }
        assertThat(tally(tenant)).isEqualTo(grouped(tenant));

        Map<ComplianceState, Long> expected = new EnumMap<>(ComplianceState.class);
        for (ComplianceState state : ComplianceState.values()) {
            expected.put(state, 0L);
        }
        for (Device device : enrolled) {
            expected.merge(devices.get(UUID.fromString(tenant), UUID.fromString(device.id())).compliance().state(),
                    1L, Long::sum);
        }
        assertThat(expected).as("three stale, four not (the test's own premise)")
                .containsEntry(ComplianceState.STALE, 3L).containsEntry(ComplianceState.COMPLIANT, 4L);
        assertThat(devices.complianceByGroup(UUID.fromString(tenant)))
                .isEqualTo(Map.of(UUID.fromString(group), expected));
        assertThat(devices.complianceSummary(UUID.fromString(tenant), 10).counts()).isEqualTo(expected);
    }

    private static void report(Device device, long version, List<String> installed,
            List<Map<String, String>> failures) {
        as(device.token()).contentType(ContentType.JSON).body(Map.of("payloadVersion", version, "installed", installed,
                "failures", failures, "apiLevel", 95)).post("/api/v1/device/reports").then().statusCode(202);
    }

    private long version(String group) {
        return as(admin).get("/api/v1/tenants/{t}/device-groups/{g}/requirements", tenant, group)
                .then().statusCode(200).extract().jsonPath().getLong("version");
    }

    private void sql(String statement, String... parameters) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(statement)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setString(i + 1, parameters[i]);
            }
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tally's rows of the tenant, each as one line. */
    private TreeMap<String, Long> tally(String tenantId) {
        return rows("""
                SELECT concat_ws(' ', device_group_id, active, reported_version, reported_installed, failed), devices
                FROM device_tally WHERE tenant_id = ?::uuid""", tenantId);
    }

    /** The same, grouped from the device rows themselves. */
    private TreeMap<String, Long> grouped(String tenantId) {
        return rows("""
                SELECT concat_ws(' ', device_group_id, revoked_at IS NULL, reported_version, reported_installed,
                                 COALESCE(reported_failures, '[]') <> '[]'), count(*)
                FROM device WHERE tenant_id = ?::uuid
                GROUP BY device_group_id, revoked_at IS NULL, reported_version, reported_installed,
                         COALESCE(reported_failures, '[]') <> '[]'""", tenantId);
    }

    /** The devices that have their last-seen row (V37), by id, with how many rows each has. */
    private TreeMap<String, Long> lastSeenRows(String tenantId) {
        return rows("SELECT device_id::text, count(*) FROM device_seen WHERE tenant_id = ?::uuid GROUP BY 1",
                tenantId);
    }

    /** The tenant's devices by id, once each: what {@link #lastSeenRows} must list. */
    private TreeMap<String, Long> deviceRows(String tenantId) {
        return rows("SELECT id::text, 1 FROM device WHERE tenant_id = ?::uuid", tenantId);
    }

    private TreeMap<String, Long> rows(String query, String tenantId) {
        TreeMap<String, Long> rows = new TreeMap<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(query)) {
            s.setString(1, tenantId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.merge(r.getString(1), r.getLong(2), Long::sum);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }
}
