package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.invalidRequest;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.payload.CmsPayloadVerifier;
import org.trustfleet.payload.PayloadDocument;
import org.trustfleet.payload.VerifiedPayload;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.Sha256;
import org.trustfleet.pki.TestPki;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.DeviceFixtures.Device;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * The device API against the real service: payload delivery with ETags, tenant and group isolation, revocation,
 * reports and every compliance state but STALE (see {@link DeviceClockTest}), signer rotation, and the served bytes
 * checked by OpenSSL.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class DeviceApiTest {
    static final TestPki.Cert ANCHOR = TestPki.root("Device API Private Root");
    static final TestPki.Cert OTHER_ANCHOR = TestPki.root("Device API Other Root");

    @Inject
    AgroalDataSource db;

    private String tenant;
    private String admin;

    @BeforeEach
    void setUp() {
        String[] t = ApiFixtures.tenantWithAdmin("device-api");
        tenant = t[0];
        admin = t[1];
    }

    @Test
    void payloadIsSignedVersionedAndRevalidatedWithEtags() throws Exception {
        String group = groupIncluding(ANCHOR);
        Device device = DeviceFixtures.device(tenant, admin, group);

        Response first = as(device.token()).accept("application/pkcs7-mime").get("/api/v1/device/payload");
        first.then().statusCode(200).contentType("application/pkcs7-mime")
                .header("ETag", startsWith("\"")).header("Cache-Control", "private, no-cache");
        byte[] cms = first.asByteArray();
        String etag = first.header("ETag");
        assertThat(etag).isEqualTo("\"" + Sha256.hex(cms) + "\"");

        VerifiedPayload verified = new CmsPayloadVerifier().verify(cms, device.root(), UUID.fromString(tenant));
        PayloadDocument doc = verified.document();
        assertThat(doc.deviceGroupId()).isEqualTo(UUID.fromString(group));
        assertThat(doc.version()).isEqualTo(requirementsVersion(group));
        assertThat(doc.sha256Set()).containsExactly(ANCHOR.sha256());
        assertThat(doc.certificates().get(0).role().name()).isEqualTo("ROOT");
        assertThat(java.time.Duration.between(doc.issuedAt(), doc.expiresAt())).hasDays(7);
        assertThat(verified.signer()).isEqualTo(device.signer());

        // the same bytes again (signed once, served from cache)
        assertThat(as(device.token()).get("/api/v1/device/payload").then().statusCode(200).extract().asByteArray())
                .isEqualTo(cms);
        for (String ifNoneMatch : List.of(etag, "W/" + etag, "\"other\", " + etag, "*")) {
            as(device.token()).header("If-None-Match", ifNoneMatch).get("/api/v1/device/payload")
                    .then().statusCode(304).header("ETag", equalTo(etag));
        }
        as(device.token()).header("If-None-Match", "\"" + "0".repeat(64) + "\"").get("/api/v1/device/payload")
                .then().statusCode(200).header("ETag", equalTo(etag));
    }

    @Test
    void payloadRouteAnswersWhatItCannotServeWithProblems() {
        Device device = DeviceFixtures.device(tenant, admin, groupIncluding(ANCHOR));
        for (String accept : List.of("*/*", "application/*;q=0.5", "text/plain, application/pkcs7-mime;q=0.1")) {
            as(device.token()).accept(accept).get("/api/v1/device/payload").then().statusCode(200);
        }
        for (String accept : List.of("text/html", "application/json", "application/pkcs7-mime;q=0, text/plain",
                "application/pkcs7-mime;q=0, */*")) {
            ProblemApiTest.assertProblem(invalidRequest().auth().oauth2(device.token()).accept(accept)
                    .get("/api/v1/device/payload").then(),
                    406, "not-acceptable");
        }
        ProblemApiTest.assertProblem(invalidRequest().auth().oauth2(device.token()).post("/api/v1/device/payload")
                .then(), 405, "method-not-allowed").header("Allow", "GET, HEAD");
        // HEAD: GET's status and headers, no body
        Response get = as(device.token()).get("/api/v1/device/payload");
        Response head = as(device.token()).head("/api/v1/device/payload");
        head.then().statusCode(200).header("ETag", equalTo(get.header("ETag")))
                .header("Content-Length", String.valueOf(get.asByteArray().length));
        assertThat(head.asByteArray()).isEmpty();
        as(device.token()).header("If-None-Match", get.header("ETag")).head("/api/v1/device/payload").then()
                .statusCode(304);
        Response unauthenticated = as("tfd_" + "B".repeat(43)).head("/api/v1/device/payload");
        unauthenticated.then().statusCode(401).header("WWW-Authenticate", startsWith("Bearer"));
        assertThat(unauthenticated.asByteArray()).isEmpty();
        ProblemApiTest.assertProblem(invalidRequest().get("/api/v1/device/payload").then(), 401, "unauthenticated")
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("instance", equalTo("/api/v1/device/payload"));
        ProblemApiTest.assertProblem(as("tfd_" + "A".repeat(43)).get("/api/v1/device/payload").then(), 401,
                "unauthenticated");
        ProblemApiTest.assertProblem(as(admin).get("/api/v1/device/payload").then(), 403, "forbidden");
    }

    @Test
    void aDeviceOnlyEverGetsItsOwnGroupsAndTenantsPayload() throws Exception {
        String groupA = groupIncluding(ANCHOR);
        String groupB = groupIncluding(OTHER_ANCHOR);
        Device inA = DeviceFixtures.device(tenant, admin, groupA);
        Device inB = DeviceFixtures.device(tenant, admin, groupB);
        String[] other = ApiFixtures.tenantWithAdmin("device-api-other");
        Device otherTenant = DeviceFixtures.device(other[0], other[1]);

        assertThat(document(inA).deviceGroupId()).isEqualTo(UUID.fromString(groupA));
        assertThat(document(inA).sha256Set()).containsExactly(ANCHOR.sha256());
        assertThat(document(inB).deviceGroupId()).isEqualTo(UUID.fromString(groupB));
        assertThat(document(inB).sha256Set()).containsExactly(OTHER_ANCHOR.sha256());
        PayloadDocument foreign = document(otherTenant);
        assertThat(foreign.tenantId()).isEqualTo(UUID.fromString(other[0]));
        assertThat(foreign.sha256Set()).isEmpty();

        // a device token is not an admin credential, of its own tenant or another
        as(inA.token()).get("/api/v1/tenants/{t}/devices", tenant).then().statusCode(403);
        as(inA.token()).get("/api/v1/tenants/{t}/devices", other[0]).then().statusCode(403);
        // and tenant A's admin cannot see tenant B's device
        as(admin).get("/api/v1/tenants/{t}/devices/{d}", tenant, otherTenant.id()).then().statusCode(404);
    }

    @Test
    void revokedDeviceIsRefusedAndReEnrollmentReplacesTheToken() {
        String group = groupIncluding(ANCHOR);
        String token = DeviceFixtures.enrollmentToken(tenant, admin, group, 3);
        JsonPath first = DeviceFixtures.enroll(token, "hw-revoke");
        String deviceToken = first.getString("deviceToken");
        as(deviceToken).get("/api/v1/device/payload").then().statusCode(200);

        as(admin).delete("/api/v1/tenants/{t}/devices/{d}", tenant, first.getString("deviceId"))
                .then().statusCode(204);
        as(deviceToken).get("/api/v1/device/payload").then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("type", equalTo("urn:trustfleet:problem:unauthenticated"));
        as(deviceToken).contentType(ContentType.JSON).body(report(0, List.of(), List.of()))
                .post("/api/v1/device/reports").then().statusCode(401);
        as(admin).get("/api/v1/tenants/{t}/devices/{d}", tenant, first.getString("deviceId"))
                .then().statusCode(200).body("revoked", equalTo(true));

        // re-enrolling the same hardware keeps the id, un-revokes it, and the old token stays dead
        String otherGroup = groupIncluding(OTHER_ANCHOR);
        JsonPath again = DeviceFixtures.enroll(DeviceFixtures.enrollmentToken(tenant, admin, otherGroup, 1),
                "hw-revoke");
        assertThat(again.getString("deviceId")).isEqualTo(first.getString("deviceId"));
        assertThat(again.getString("deviceGroupId")).isEqualTo(otherGroup);
        as(deviceToken).get("/api/v1/device/payload").then().statusCode(401);
        as(again.getString("deviceToken")).get("/api/v1/device/payload").then().statusCode(200);
        as(admin).get("/api/v1/tenants/{t}/devices/{d}", tenant, first.getString("deviceId"))
                .then().statusCode(200).body("revoked", equalTo(false))
                .body("deviceGroupId", equalTo(otherGroup));

        // a live token re-enrolled away is dead at once too
        JsonPath third = DeviceFixtures.enroll(token, "hw-revoke");
        as(again.getString("deviceToken")).get("/api/v1/device/payload").then().statusCode(401);
        as(third.getString("deviceToken")).get("/api/v1/device/payload").then().statusCode(200);
    }

    @Test
    void revocationOnThisReplicaIsImmediateEvenForACachedToken() {
        String group = groupIncluding(ANCHOR);
        Device device = DeviceFixtures.device(tenant, admin, group);
        for (int i = 0; i < 3; i++) { // the token is now in the cache (the change feed has polled since startup)
            as(device.token()).get("/api/v1/device/payload").then().statusCode(200);
        }
        as(admin).delete("/api/v1/tenants/{t}/devices/{d}", tenant, device.id()).then().statusCode(204);
        // no waiting: the very next request, on the same replica, is refused
        as(device.token()).get("/api/v1/device/payload").then().statusCode(401);
        as(device.token()).header("If-None-Match", "*").get("/api/v1/device/payload").then().statusCode(401);
    }

    @Test
    void aRevocationByAnotherReplicaReachesThisOneThroughTheChangeFeed() throws Exception {
        String group = groupIncluding(ANCHOR);
        Device device = DeviceFixtures.device(tenant, admin, group);
        as(device.token()).get("/api/v1/device/payload").then().statusCode(200);
        // what another replica's revocation does to the database, without this replica's own event
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE device SET revoked_at = now() WHERE id = ?")) {
            s.setObject(1, UUID.fromString(device.id()));
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
        // within trustfleet.cache.invalidation-poll-interval (2 s; at most twice that), with slack for a slow machine
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                as(device.token()).get("/api/v1/device/payload").then().statusCode(401));
    }

    @Test
    void aDeletedGroupReachesCachedTokensThroughTheChangeFeed() {
        String group = groupIncluding(OTHER_ANCHOR);
        Device device = DeviceFixtures.device(tenant, admin, group);
        as(device.token()).get("/api/v1/device/payload").then().statusCode(200);
        as(admin).delete("/api/v1/tenants/{t}/device-groups/{g}", tenant, group).then().statusCode(204);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                as(device.token()).get("/api/v1/device/payload").then().statusCode(410));
    }

    @Test
    void reportsAreValidated() {
        Device device = DeviceFixtures.device(tenant, admin);
        String sha = ANCHOR.sha256();
        for (Map<String, Object> body : List.of(
                report(1, List.of("ABC"), List.of()),
                report(1, List.of(sha), List.of(Map.of("sha256", sha, "error", "x".repeat(501)))),
                report(1, List.of(sha), List.of(Map.of("sha256", "nope", "error", "failed"))),
                report(-1, List.of(), List.of()),
                report(1, Collections.nCopies(1001, sha), List.of()),
                Map.of("payloadVersion", 1, "installed", List.of()),
                Map.of("payloadVersion", 1, "installed", List.of(), "apiLevel", 95, "extra", true))) {
            invalidRequest().auth().oauth2(device.token()).contentType(ContentType.JSON).body(body)
                    .post("/api/v1/device/reports").then().statusCode(400)
                    .body("type", startsWith("urn:trustfleet:problem:"));
        }
        as(device.token()).contentType(ContentType.JSON)
                .body(report(1, List.of(sha), List.of(Map.of("sha256", sha, "error", "x".repeat(500)))))
                .post("/api/v1/device/reports").then().statusCode(202);
        // an admin key cannot report
        as(admin).contentType(ContentType.JSON).body(report(1, List.of(), List.of()))
                .post("/api/v1/device/reports").then().statusCode(403);
    }

    @Test
    void complianceStatesFollowReports() {
        String group = groupIncluding(ANCHOR);
        Device device = DeviceFixtures.device(tenant, admin, group);
        long version = requirementsVersion(group);
        String path = "/api/v1/tenants/{t}/devices/{d}";

        JsonPath fresh = get(device);
        assertThat(fresh.getString("compliance.state")).isEqualTo("PENDING");
        assertThat(fresh.getLong("compliance.desiredVersion")).isEqualTo(version);
        assertThat(fresh.getString("compliance.reportedVersion")).isNull();
        assertThat(fresh.getString("hardwareId")).startsWith("hw-");
        assertThat(fresh.getString("model")).isEqualTo("Pixel Test");
        assertThat(fresh.getInt("apiLevel")).isEqualTo(95);

        postReport(device, report(version - 1, List.of(), List.of()));
        assertThat(get(device).getString("compliance.state")).isEqualTo("PENDING");

        postReport(device, report(version, List.of(ANCHOR.sha256()), List.of()));
        JsonPath compliant = get(device);
        assertThat(compliant.getString("compliance.state")).isEqualTo("COMPLIANT");
        assertThat(compliant.getLong("compliance.reportedVersion")).isEqualTo(version);

        postReport(device, report(version, List.of(), List.of()));
        JsonPath missing = get(device);
        assertThat(missing.getString("compliance.state")).isEqualTo("DRIFTED");
        assertThat(missing.getList("compliance.missing")).containsExactly(ANCHOR.sha256());

        postReport(device, report(version, List.of(ANCHOR.sha256(), OTHER_ANCHOR.sha256()), List.of()));
        JsonPath unexpected = get(device);
        assertThat(unexpected.getString("compliance.state")).isEqualTo("DRIFTED");
        assertThat(unexpected.getList("compliance.unexpected")).containsExactly(OTHER_ANCHOR.sha256());
        assertThat(unexpected.getList("compliance.missing")).isEmpty();

        postReport(device, report(version, List.of(),
                List.of(Map.of("sha256", ANCHOR.sha256(), "error", "installCaCert returned false"))));
        JsonPath failed = get(device);
        assertThat(failed.getString("compliance.state")).isEqualTo("FAILED");
        assertThat(failed.getString("compliance.failures[0].error")).isEqualTo("installCaCert returned false");

        as(admin).get(path, tenant, UUID.randomUUID()).then().statusCode(404);
        as(admin).get(path, tenant, "not-a-uuid").then().statusCode(404);
    }

    @Test
    void devicesArePagedInIdOrder() {
        String group = DeviceFixtures.group(tenant, admin, "paged", List.of());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(DeviceFixtures.device(tenant, admin, group).id());
        }
        Collections.sort(ids);
        Response page1 = as(admin).queryParam("limit", 2).get("/api/v1/tenants/{t}/devices", tenant);
        page1.then().statusCode(200);
        assertThat(page1.jsonPath().getList("id")).containsExactly(ids.get(0), ids.get(1));
        assertThat(page1.header("Link")).isEqualTo("</api/v1/tenants/" + tenant + "/devices?after=" + ids.get(1)
                + "&limit=2>; rel=\"next\"");
        Response page2 = as(admin).queryParam("limit", 2).queryParam("after", ids.get(1))
                .get("/api/v1/tenants/{t}/devices", tenant);
        assertThat(page2.jsonPath().getList("id")).containsExactly(ids.get(2));
        assertThat(page2.header("Link")).isNull();
        assertThat(as(admin).get("/api/v1/tenants/{t}/devices", tenant).jsonPath().getList("id"))
                .containsExactlyElementsOf(ids);
        invalidRequest().auth().oauth2(admin).queryParam("limit", 0).get("/api/v1/tenants/{t}/devices", tenant)
                .then().statusCode(400);
        invalidRequest().auth().oauth2(admin).queryParam("after", "x").get("/api/v1/tenants/{t}/devices", tenant)
                .then().statusCode(400);
    }

    @Test
    void rotationKeepsEnrolledDevicesVerifying() throws Exception {
        String group = groupIncluding(ANCHOR);
        Device device = DeviceFixtures.device(tenant, admin, group);
        byte[] before = as(device.token()).get("/api/v1/device/payload").then().statusCode(200).extract()
                .asByteArray();
        JsonPath current = new JsonPath(as(admin).get("/api/v1/tenants/{t}/signing-keys/current", tenant)
                .then().statusCode(200).extract().asString());
        assertThat(current.getString("signerSha256")).isEqualTo(Sha256.of(device.signer()));
        assertThat(current.getString("rootSha256")).isEqualTo(Sha256.of(device.root()));

        JsonPath rotated = new JsonPath(as(admin).post("/api/v1/tenants/{t}/signing-keys/rotate", tenant)
                .then().statusCode(201).extract().asString());
        assertThat(rotated.getString("signerSha256")).isNotEqualTo(current.getString("signerSha256"));
        assertThat(rotated.getString("rootSha256")).isEqualTo(current.getString("rootSha256"));
        assertThat(rotated.getString("chainPem")).contains("BEGIN CERTIFICATE").doesNotContain("PRIVATE");

        byte[] after = as(device.token()).get("/api/v1/device/payload").then().statusCode(200).extract()
                .asByteArray();
        assertThat(after).isNotEqualTo(before);
        VerifiedPayload verified = new CmsPayloadVerifier().verify(after, device.root(), UUID.fromString(tenant));
        assertThat(Sha256.of(verified.signer())).isEqualTo(rotated.getString("signerSha256"));
        assertThat(verified.document().version()).isEqualTo(requirementsVersion(group));
        // new devices get the new signer
        assertThat(Sha256.of(DeviceFixtures.device(tenant, admin, group).signer()))
                .isEqualTo(rotated.getString("signerSha256"));
    }

    @Test
    void opensslVerifiesTheServedPayload() throws Exception {
        Device device = DeviceFixtures.device(tenant, admin, groupIncluding(ANCHOR));
        byte[] cms = as(device.token()).get("/api/v1/device/payload").then().statusCode(200).extract()
                .asByteArray();
        Path dir = Files.createTempDirectory(Path.of("target"), "openssl-");
        Path payload = Files.write(dir.resolve("payload.p7m"), cms);
        Path root = Files.writeString(dir.resolve("root.pem"), CertificateEncoder.toPem(List.of(device.root())));
        Process p = new ProcessBuilder("openssl", "cms", "-verify", "-inform", "DER", "-in", payload.toString(),
                "-CAfile", root.toString(), "-purpose", "any").redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(err).isZero();
        assertThat(err).contains("Verification successful");
        assertThat(out).startsWith("{\"schema\":\"trustfleet.payload/v1\",\"tenantId\":\"" + tenant + "\"")
                .contains(ANCHOR.sha256());
    }

    // --- helpers

    private String groupIncluding(TestPki.Cert anchor) {
        as(admin).contentType(ContentType.JSON)
                .body(Map.of("pem", CertificateEncoder.toPem(List.of(anchor.cert()))))
                .post("/api/v1/tenants/{t}/anchors", tenant).then().statusCode(201);
        return DeviceFixtures.group(tenant, admin, "includes", List.of(anchor.sha256()));
    }

    private long requirementsVersion(String group) {
        return as(admin).get("/api/v1/tenants/{t}/device-groups/{g}/requirements", tenant, group).then()
                .statusCode(200).extract().jsonPath().getLong("version");
    }

    private PayloadDocument document(Device device) throws Exception {
        byte[] cms = as(device.token()).get("/api/v1/device/payload").then().statusCode(200).extract()
                .asByteArray();
        return new CmsPayloadVerifier().verify(cms, device.root(), UUID.fromString(device.tenantId())).document();
    }

    private JsonPath get(Device device) {
        return new JsonPath(as(admin).get("/api/v1/tenants/{t}/devices/{d}", tenant, device.id()).then()
                .statusCode(200).extract().asString());
    }

    private static void postReport(Device device, Map<String, Object> body) {
        as(device.token()).contentType(ContentType.JSON).body(body).post("/api/v1/device/reports")
                .then().statusCode(202);
    }

    static Map<String, Object> report(long version, List<String> installed, List<Map<String, String>> failures) {
        return Map.of("payloadVersion", version, "installed", installed, "failures", failures, "apiLevel", 95);
    }
}
