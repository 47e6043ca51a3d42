package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.trustfleet.testing.Contract.api;
import static org.trustfleet.testing.Contract.as;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.payload.CmsPayloadVerifier;
import org.trustfleet.payload.PayloadDocument;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.DeviceFixtures.Device;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.testing.ShiftedClock;
import org.trustfleet.testing.ShiftedClockProfile;

/**
 * What depends on time, with a clock the test moves forward instead of sleeping: STALE devices, expired enrollment
 * tokens, the enrollment failure limit and its window, payload refresh at half validity, and atomic token use.
 */
@QuarkusTest
@TestProfile(ShiftedClockProfile.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class DeviceClockTest {
    static final ShiftedClock CLOCK = ShiftedClock.INSTANCE;
    /** Not the default minute, so the test sees the setting at work. */
    static final Duration SEEN_GRANULARITY = ShiftedClockProfile.SEEN_GRANULARITY;

    private String tenant;
    private String admin;

    @BeforeEach
    void setUp() {
        CLOCK.advance(Duration.ofSeconds(61)); // every test starts with an empty failure window
        String[] t = ApiFixtures.tenantWithAdmin("device-clock");
        tenant = t[0];
        admin = t[1];
    }

    @Test
    void aDeviceNotSeenForSevenDaysIsStale() {
        String group = DeviceFixtures.group(tenant, admin, "stale", List.of());
        Device device = DeviceFixtures.device(tenant, admin, group);
        long version = requirementsVersion(group);
        report(device, version, List.of(), List.of());
        assertThat(state(device)).isEqualTo("COMPLIANT");
        CLOCK.advance(Duration.ofDays(6));
        assertThat(state(device)).isEqualTo("COMPLIANT");
        CLOCK.advance(Duration.ofDays(1).plusMinutes(1));
        assertThat(state(device)).isEqualTo("STALE");
        // fetching its payload is being seen
        as(device.token()).get("/api/v1/device/payload").then().statusCode(200);
        assertThat(state(device)).isEqualTo("COMPLIANT");
    }

    @Test
    void lastSeenMovesAtMostOncePerGranularity() {
        String group = DeviceFixtures.group(tenant, admin, "seen", List.of());
        Device device = DeviceFixtures.device(tenant, admin, group);
        as(device.token()).get("/api/v1/device/payload").then().statusCode(200);
        Instant seen = lastSeen(device);
        // within the granularity of the last noted time: nothing written
        CLOCK.advance(SEEN_GRANULARITY.minusMinutes(1));
        as(device.token()).get("/api/v1/device/payload").then().statusCode(200);
        assertThat(lastSeen(device)).isEqualTo(seen);
        // past it: the request's time is written
        CLOCK.advance(Duration.ofMinutes(2));
        Instant before = CLOCK.instant();
        as(device.token()).get("/api/v1/device/payload").then().statusCode(200);
        assertThat(lastSeen(device)).isAfterOrEqualTo(before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                .isAfter(seen.plus(SEEN_GRANULARITY));
    }

    @Test
    void aReportIsBeingSeenWrittenWithTheReportOncePerGranularity() {
        String group = DeviceFixtures.group(tenant, admin, "seen-by-report", List.of());
        Device device = DeviceFixtures.device(tenant, admin, group);
        long version = requirementsVersion(group);
        CLOCK.advance(Duration.ofDays(7).plusMinutes(1));
        assertThat(state(device)).isEqualTo("STALE");
        // a report alone (no payload fetch noted in memory): its statement writes the time with it
        Instant before = CLOCK.instant();
        report(device, version, List.of(), List.of());
        Instant seen = lastSeen(device);
        assertThat(seen).isAfterOrEqualTo(before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(state(device)).isEqualTo("COMPLIANT");
        // another report within the granularity writes no new time
        CLOCK.advance(SEEN_GRANULARITY.minusMinutes(1));
        report(device, version, List.of(), List.of());
        assertThat(lastSeen(device)).isEqualTo(seen);
    }

    private long requirementsVersion(String group) {
        return as(admin).get("/api/v1/tenants/{t}/device-groups/{g}/requirements", tenant, group)
                .then().statusCode(200).extract().jsonPath().getLong("version");
    }

    private Instant lastSeen(Device device) {
        return Instant.parse(as(admin).get("/api/v1/tenants/{t}/devices/{d}", tenant, device.id()).then()
                .statusCode(200).extract().path("lastSeenAt"));
    }

    /**
     * The drift report counts devices by state with one aggregate; the device view judges each device on its own.
     * Both must agree for a tenant with devices in every state, in two groups at different versions.
     */
    @Test
    void theDriftReportCountsEveryStateAsTheDeviceViewsDo() {
        String first = DeviceFixtures.group(tenant, admin, "summary-a", List.of());
        String second = DeviceFixtures.group(tenant, admin, "summary-b", List.of());
        long version = as(admin).get("/api/v1/tenants/{t}/device-groups/{g}/requirements", tenant, first)
                .then().statusCode(200).extract().jsonPath().getLong("version");
        long secondVersion = as(admin).get("/api/v1/tenants/{t}/device-groups/{g}/requirements", tenant, second)
                .then().statusCode(200).extract().jsonPath().getLong("version");
        String stranger = "ab".repeat(32);
        Device stale = DeviceFixtures.device(tenant, admin, first);
        report(stale, version, List.of(), List.of());
        CLOCK.advance(Duration.ofDays(8));
        List<Device> devices = new ArrayList<>(List.of(stale));
        for (int i = 0; i < 3; i++) { // compliant, in both groups
            Device a = DeviceFixtures.device(tenant, admin, first);
            report(a, version, List.of(), List.of());
            Device b = DeviceFixtures.device(tenant, admin, second);
            report(b, secondVersion, List.of(), List.of());
            devices.addAll(List.of(a, b));
        }
        devices.add(DeviceFixtures.device(tenant, admin, first)); // pending: never reported
        Device older = DeviceFixtures.device(tenant, admin, second);
        report(older, secondVersion - 1, List.of(), List.of()); // pending: an older version
        Device drifted = DeviceFixtures.device(tenant, admin, first);
        report(drifted, version, List.of(stranger), List.of());
        Device failed = DeviceFixtures.device(tenant, admin, second);
        report(failed, secondVersion, List.of(), List.of(Map.of("sha256", stranger, "error", "<b>denied</b>")));
        devices.addAll(List.of(older, drifted, failed));

        Map<String, Long> expected = new java.util.TreeMap<>(Map.of("COMPLIANT", 0L, "PENDING", 0L,
                "DRIFTED", 0L, "FAILED", 0L, "STALE", 0L));
        List<String> nonCompliant = new ArrayList<>();
        // PostgreSQL orders UUIDs by their bytes, as their lower-case text sorts (java.util.UUID compares signed)
        for (Device device : devices.stream().sorted(java.util.Comparator.comparing(Device::id)).toList()) {
            String state = state(device);
            expected.merge(state, 1L, Long::sum);
            if (!state.equals("COMPLIANT")) {
                nonCompliant.add(device.id() + " " + state);
            }
        }
        assertThat(expected).containsEntry("COMPLIANT", 6L).containsEntry("PENDING", 2L)
                .containsEntry("DRIFTED", 1L).containsEntry("FAILED", 1L).containsEntry("STALE", 1L);
        io.restassured.path.json.JsonPath drift = as(admin).get("/api/v1/tenants/{t}/drift-report", tenant).then()
                .statusCode(200).extract().jsonPath();
        Map<String, Object> byState = drift.getMap("devices.byState");
        Map<String, Long> counted = new java.util.TreeMap<>();
        byState.forEach((state, count) -> counted.put(state, ((Number) count).longValue()));
        assertThat(counted).isEqualTo(expected);
        List<String> listed = new ArrayList<>();
        List<String> ids = drift.getList("devices.nonCompliant.deviceId");
        List<String> states = drift.getList("devices.nonCompliant.state");
        for (int i = 0; i < ids.size(); i++) {
            listed.add(ids.get(i) + " " + states.get(i));
        }
        assertThat(listed).isEqualTo(nonCompliant);
    }

    private static void report(Device device, long version, List<String> installed,
            List<Map<String, String>> failures) {
        as(device.token()).contentType(ContentType.JSON).body(DeviceApiTest.report(version, installed, failures))
                .post("/api/v1/device/reports").then().statusCode(202);
    }

    @Test
    void anExpiredEnrollmentTokenIsGone() {
        String group = DeviceFixtures.group(tenant, admin, "expiry", List.of());
        String token = as(admin).contentType(ContentType.JSON).body(Map.of("deviceGroupId", group,
                        "expiresInSeconds", 60, "maxUses", 10))
                .post("/api/v1/tenants/{t}/enrollment-tokens", tenant).then().statusCode(201).extract()
                .path("token");
        CLOCK.advance(Duration.ofSeconds(61));
        enroll(token, "hw-late").then().statusCode(410)
                .body("type", equalTo("urn:trustfleet:problem:gone"))
                .body("detail", containsString("expired"));
    }

    @Test
    void failedEnrollmentsAreRateLimitedPerAddressForAMinute() {
        String group = DeviceFixtures.group(tenant, admin, "limit", List.of());
        String valid = DeviceFixtures.enrollmentToken(tenant, admin, group, 5);
        for (int i = 0; i < 3; i++) {
            enroll("tfe_guess-" + i, "hw-x").then().statusCode(401)
                    .body("type", equalTo("urn:trustfleet:problem:unauthenticated"))
                    .body("detail", containsString("not valid"));
        }
        for (String token : List.of("tfe_guess-4", valid)) {
            Response limited = enroll(token, "hw-x");
            limited.then().statusCode(429).body("type", equalTo("urn:trustfleet:problem:rate-limited"));
            assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 60);
        }
        CLOCK.advance(Duration.ofSeconds(30));
        enroll(valid, "hw-x").then().statusCode(429);
        CLOCK.advance(Duration.ofSeconds(31));
        enroll(valid, "hw-x").then().statusCode(201);
    }

    @Test
    void tokenUsesAreConsumedAtomically() throws Exception {
        String group = DeviceFixtures.group(tenant, admin, "atomic", List.of());
        String token = DeviceFixtures.enrollmentToken(tenant, admin, group, 5);
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String hw = "hw-atomic-" + i;
                results.add(pool.submit(() -> enroll(token, hw).statusCode()));
            }
            int created = 0;
            for (Future<Integer> r : results) {
                int status = r.get();
                assertThat(status).isIn(201, 410, 429);
                created += status == 201 ? 1 : 0;
            }
            assertThat(created).isEqualTo(5);
        } finally {
            pool.shutdown();
        }
        assertThat(as(admin).get("/api/v1/tenants/{t}/devices", tenant).jsonPath().getList("id")).hasSize(5);
    }

    @Test
    void payloadIsReSignedOnlyWhenHalfItsValidityHasPassed() throws Exception {
        Device device = DeviceFixtures.device(tenant, admin);
        Response first = as(device.token()).get("/api/v1/device/payload");
        PayloadDocument doc1 = verify(device, first.asByteArray());
        CLOCK.advance(Duration.ofDays(3));
        Response same = as(device.token()).header("If-None-Match", first.header("ETag"))
                .get("/api/v1/device/payload");
        assertThat(same.statusCode()).isEqualTo(304);
        CLOCK.advance(Duration.ofHours(13)); // 3.5 days and a bit: less than half the validity is left
        Response refreshed = as(device.token()).header("If-None-Match", first.header("ETag"))
                .get("/api/v1/device/payload");
        assertThat(refreshed.statusCode()).isEqualTo(200);
        assertThat(refreshed.header("ETag")).isNotEqualTo(first.header("ETag"));
        PayloadDocument doc2 = verify(device, refreshed.asByteArray());
        assertThat(doc2.version()).isEqualTo(doc1.version());
        assertThat(doc2.sha256Set()).isEqualTo(doc1.sha256Set());
        assertThat(doc2.issuedAt()).isAfter(doc1.issuedAt());
        assertThat(doc2.expiresAt()).isEqualTo(doc2.issuedAt().plus(Duration.ofDays(7)));
    }

    private static PayloadDocument verify(Device device, byte[] cms) throws Exception {
        return new CmsPayloadVerifier(CLOCK).verify(cms, device.root(), UUID.fromString(device.tenantId()))
                .document();
    }

    private static Response enroll(String token, String hardwareId) {
        return api().contentType(ContentType.JSON).body(Map.of("enrollmentToken", token, "hardwareId", hardwareId,
                "apiLevel", 95)).post("/api/v1/enroll");
    }

    private String state(Device device) {
        return as(admin).get("/api/v1/tenants/{t}/devices/{d}", tenant, device.id()).then().statusCode(200)
                .extract().path("compliance.state");
    }
}
