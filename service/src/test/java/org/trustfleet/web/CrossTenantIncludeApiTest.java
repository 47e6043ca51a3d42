package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.Certificates;
import org.trustfleet.pki.Sha256;
import org.trustfleet.pki.TestPki;
import org.trustfleet.policy.RequirementsService;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.truststore.TrustStoreService;

/**
 * Tenant isolation of device-group includes: an include may name only a certificate the tenant can already see (its
 * anchors, what its own endpoints' scans showed, the platform stores). Another tenant's private anchor or scanned
 * intermediate is answered exactly as an id nobody has (same status, type, title and detail shape), so includes are
 * neither a way to pull another tenant's certificate into one's requirements and exports nor an oracle for it; and a
 * group that names one anyway (stored before the check) does not deliver it.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class CrossTenantIncludeApiTest {
    private static final String HOST = "sts.isolation.test";

    @Inject
    TrustStoreService stores;

    @Inject
    RequirementsService requirements;

    @Inject
    AgroalDataSource db;

    private final TestPki.Cert rootA = TestPki.root("Isolation Root A");
    private final TestPki.Cert intermediateA = rootA.issueIntermediate("Isolation Intermediate A");
    private final TestPki.Cert rootB = TestPki.root("Isolation Private Root B");
    private final TestPki.Cert intermediateB = rootB.issueIntermediate("Isolation Intermediate B");

    private String tenantA;
    private String adminA;
    private String tenantB;
    private String adminB;

    @BeforeEach
    void twoTenants() throws Exception {
        String[] a = ApiFixtures.tenantWithAdmin("isolation-a");
        tenantA = a[0];
        adminA = a[1];
        String[] b = ApiFixtures.tenantWithAdmin("isolation-b");
        tenantB = b[0];
        adminB = b[1];
        anchor(adminA, tenantA, rootA);
        anchor(adminB, tenantB, rootB);
        // each tenant's endpoint presents its own intermediate: the scan shows it to that tenant only
        scanEndpoint(adminA, tenantA, intermediateA);
        scanEndpoint(adminB, tenantB, intermediateB);
    }

    @Test
    void anotherTenantsCertificateIsAnsweredExactlyLikeAnUnknownOne() {
        String group = createGroup(adminA, tenantA, List.of(rootA.sha256())).then().statusCode(201).extract()
                .path("id");
        for (TestPki.Cert foreign : List.of(rootB, intermediateB)) {
            String unknown = randomSha256();
            Response refused = createGroup(adminA, tenantA, List.of(foreign.sha256()));
            Response unknownRefused = createGroup(adminA, tenantA, List.of(unknown));
            assertIndistinguishable(refused, foreign.sha256(), unknownRefused, unknown);

            Response replaced = replaceGroup(adminA, tenantA, group, List.of(foreign.sha256()));
            Response unknownReplaced = replaceGroup(adminA, tenantA, group, List.of(unknown));
            assertIndistinguishable(replaced, foreign.sha256(), unknownReplaced, unknown);
        }
        // the foreign certificates are real and known: their own tenant may include them
        createGroup(adminB, tenantB, List.of(rootB.sha256(), intermediateB.sha256())).then().statusCode(201);
    }

    @Test
    void whatTheTenantCanSeeMayBeIncluded() {
        X509Certificate platformCa = stores.snapshot().allStoreCertificates().stream()
                .filter(Certificates::isCaCertificate).findFirst().orElseThrow();
        JsonPath created = createGroup(adminA, tenantA, List.of(rootA.sha256(), intermediateA.sha256(),
                Sha256.of(platformCa))).then().statusCode(201).extract().jsonPath();
        assertThat(created.getList("include", String.class))
                .containsExactlyInAnyOrder(rootA.sha256(), intermediateA.sha256(), Sha256.of(platformCa));
    }

    @Test
    void aGroupNamingAnotherTenantsCertificateAnywayDoesNotDeliverIt() throws Exception {
        String group = createGroup(adminA, tenantA, List.of(rootA.sha256())).then().statusCode(201).extract()
                .path("id");
        // as a group stored before includes were checked would be
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE device_group SET include_sha256 = ? WHERE id = ?")) {
            s.setString(1, "[\"" + rootA.sha256() + "\",\"" + rootB.sha256() + "\",\"" + intermediateB.sha256()
                    + "\"]");
            s.setObject(2, UUID.fromString(group));
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
        requirements.recompute(UUID.fromString(group));

        JsonPath required = as(adminA).get("/api/v1/tenants/{t}/device-groups/{g}/requirements", tenantA, group)
                .then().statusCode(200).extract().jsonPath();
        assertThat(required.getList("certificates.sha256", String.class)).contains(rootA.sha256())
                .doesNotContain(rootB.sha256(), intermediateB.sha256());
        String pem = as(adminA).get("/api/v1/tenants/{t}/device-groups/{g}/payload-definition?format=pem",
                tenantA, group).then().statusCode(200).extract().asString().replaceAll("\\s", "");
        assertThat(pem).contains(pemBody(rootA)).doesNotContain(pemBody(rootB)).doesNotContain(pemBody(intermediateB));
    }

    private static void assertIndistinguishable(Response foreign, String foreignSha, Response unknown,
            String unknownSha) {
        assertThat(foreign.statusCode()).isEqualTo(400).isEqualTo(unknown.statusCode());
        assertThat(foreign.contentType()).isEqualTo(unknown.contentType());
        Map<String, Object> a = foreign.jsonPath().getMap("$");
        Map<String, Object> b = unknown.jsonPath().getMap("$");
        assertThat(a).containsOnlyKeys(b.keySet());
        assertThat(a.get("type")).isEqualTo(b.get("type")).isEqualTo("urn:trustfleet:problem:validation");
        assertThat(a.get("title")).isEqualTo(b.get("title"));
        assertThat(String.valueOf(a.get("detail")).replace(foreignSha, "<id>"))
                .isEqualTo(String.valueOf(b.get("detail")).replace(unknownSha, "<id>"));
        assertThat(String.valueOf(a.get("errors")).replace(foreignSha, "<id>"))
                .isEqualTo(String.valueOf(b.get("errors")).replace(unknownSha, "<id>"));
    }

    private static Response createGroup(String admin, String tenant, List<String> include) {
        return as(admin).contentType(ContentType.JSON).body(groupBody(include))
                .post("/api/v1/tenants/{t}/device-groups", tenant);
    }

    private static Response replaceGroup(String admin, String tenant, String group, List<String> include) {
        return as(admin).contentType(ContentType.JSON).body(groupBody(include))
                .put("/api/v1/tenants/{t}/device-groups/{g}", tenant, group);
    }

    private static Map<String, Object> groupBody(List<String> include) {
        return Map.of("name", "isolation-" + UUID.randomUUID(), "minApiLevel", 90, "maxApiLevel", 99,
                "include", include);
    }

    private static void anchor(String admin, String tenant, TestPki.Cert root) {
        as(admin).contentType(ContentType.JSON).body(Map.of("pem", CertificateEncoder.toPem(List.of(root.cert()))))
                .post("/api/v1/tenants/{t}/anchors", tenant).then().statusCode(201);
    }

    private static void scanEndpoint(String admin, String tenant, TestPki.Cert intermediate) throws Exception {
        TestPki.Cert leaf = intermediate.issueLeaf(HOST);
        try (TestTlsServer server = TestTlsServer.tls(TestPki.certs(leaf, intermediate),
                leaf.keyPair().getPrivate())) {
            String endpoint = as(admin).contentType(ContentType.JSON).body(Map.of("name", "e-" + UUID.randomUUID(),
                            "host", "127.0.0.1", "port", server.port(), "serverName", HOST))
                    .post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201).extract().path("id");
            as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, endpoint).then().statusCode(201)
                    .body("status", org.hamcrest.Matchers.equalTo("OK"));
        }
    }

    /** The certificate's base64 DER, as it appears in a PEM export with whitespace removed. */
    private static String pemBody(TestPki.Cert cert) {
        return java.util.Base64.getEncoder().encodeToString(CertificateEncoder.der(cert.cert()));
    }

    private static String randomSha256() {
        byte[] bytes = new byte[32];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
