package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.DeviceFixtures.Device;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * The domain answers at the API's doors: one rule for certificate ids (64 hex digits in either case, read as the
 * lowercase id) and one rule for "is this a deliverable CA certificate" (what input accepts is what is delivered).
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class CertificateIdApiTest {
    static final TestPki.Cert ROOT = TestPki.root("Certificate Id Private Root");
    static final TestPki.Cert NO_CERT_SIGN = ROOT.intermediate("No keyCertSign CA").withoutKeyCertSign().build();

    private String tenant;
    private String admin;

    @BeforeEach
    void setUp() {
        String[] t = ApiFixtures.tenantWithAdmin("certificate-id");
        tenant = t[0];
        admin = t[1];
        as(admin).contentType(ContentType.JSON).body(Map.of("pem", CertificateEncoder.toPem(List.of(ROOT.cert()))))
                .post("/api/v1/tenants/{t}/anchors", tenant).then().statusCode(201);
    }

    @Test
    void upperAndLowerCaseIdsNameTheSameCertificateInGroupIncludes() {
        String lower = ROOT.sha256();
        String upper = lower.toUpperCase(Locale.ROOT);
        JsonPath byLower = createGroup(List.of(lower), List.of()).statusCode(201).extract().jsonPath();
        JsonPath byUpper = createGroup(List.of(upper), List.of()).statusCode(201).extract().jsonPath();
        assertThat(byUpper.getList("include")).containsExactly(lower).isEqualTo(byLower.getList("include"));
        assertThat(requirements(byUpper.getString("id")).getList("certificates.sha256"))
                .containsExactly(lower).isEqualTo(requirements(byLower.getString("id")).getList("certificates.sha256"));
        // the same rule for exclude: both cases are one certificate, so including and excluding it clashes
        createGroup(List.of(lower), List.of(upper)).statusCode(400);
    }

    @Test
    void upperAndLowerCaseIdsGiveTheSameComplianceInDeviceReports() {
        String group = DeviceFixtures.group(tenant, admin, "ids", List.of(ROOT.sha256()));
        long version = requirements(group).getLong("version");
        Device lowerDevice = DeviceFixtures.device(tenant, admin, group);
        Device upperDevice = DeviceFixtures.device(tenant, admin, group);
        report(lowerDevice, version, ROOT.sha256());
        report(upperDevice, version, ROOT.sha256().toUpperCase(Locale.ROOT));
        JsonPath lower = device(lowerDevice);
        JsonPath upper = device(upperDevice);
        assertThat(upper.getString("compliance.state")).isEqualTo("COMPLIANT")
                .isEqualTo(lower.getString("compliance.state"));
        assertThat(upper.getList("compliance.unexpected")).isEmpty();
        assertThat(upper.getList("compliance.missing")).isEmpty();
    }

    @Test
    void anIncludeTheEngineWouldRefuseIsRefusedAtInput() throws Exception {
        // defect: a CA certificate whose keyUsage lacks keyCertSign was accepted (201), then silently not delivered.
        // Both certificates must be ones the tenant can see (an include of any other is an unknown id): its
        // endpoint presents them.
        TestPki.Cert leaf = NO_CERT_SIGN.issueLeaf("leaf.certificate-id.test");
        try (TestTlsServer server = TestTlsServer.tls(TestPki.certs(leaf, NO_CERT_SIGN),
                leaf.keyPair().getPrivate())) {
            String endpoint = as(admin).contentType(ContentType.JSON).body(Map.of("name", "presents-both",
                            "host", "127.0.0.1", "port", server.port(), "serverName", "leaf.certificate-id.test"))
                    .post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201).extract().path("id");
            as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, endpoint).then().statusCode(201);
        }
        ValidatableResponse refused = createGroup(List.of(NO_CERT_SIGN.sha256()), List.of()).statusCode(400);
        ProblemApiTest.assertProblem(refused, 400, "validation");
        assertThat(refused.extract().jsonPath().getString("detail"))
                .contains(NO_CERT_SIGN.sha256()).contains("not a CA certificate");

        // the same problem as any other include that is not a deliverable CA certificate
        ValidatableResponse leafRefused = createGroup(List.of(leaf.sha256()), List.of()).statusCode(400);
        ProblemApiTest.assertProblem(leafRefused, 400, "validation");
        assertThat(leafRefused.extract().jsonPath().getString("title"))
                .isEqualTo(refused.extract().jsonPath().getString("title"));
    }

    private ValidatableResponse createGroup(List<String> include, List<String> exclude) {
        return as(admin).contentType(ContentType.JSON).body(Map.of("name", "ids-" + UUID.randomUUID(),
                        "minApiLevel", 90, "maxApiLevel", 99, "include", include, "exclude", exclude))
                .post("/api/v1/tenants/{t}/device-groups", tenant).then();
    }

    private JsonPath requirements(String group) {
        return as(admin).get("/api/v1/tenants/{t}/device-groups/{g}/requirements", tenant, group).then()
                .statusCode(200).extract().jsonPath();
    }

    private JsonPath device(Device device) {
        return as(admin).get("/api/v1/tenants/{t}/devices/{d}", tenant, device.id()).then().statusCode(200)
                .extract().jsonPath();
    }

    private static void report(Device device, long version, String installed) {
        as(device.token()).contentType(ContentType.JSON).body(Map.of("payloadVersion", version,
                        "installed", List.of(installed), "failures", List.of(), "apiLevel", 95))
                .post("/api/v1/device/reports").then().statusCode(202);
    }
}
