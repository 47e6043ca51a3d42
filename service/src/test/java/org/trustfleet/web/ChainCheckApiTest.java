package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.oneOf;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.asOperator;
import static org.trustfleet.testing.Contract.invalidRequest;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.testing.StaticHttpServer;

/**
 * {@code POST /chain-checks}: a pasted chain gets a scan's evaluation (server fix included), nothing is stored, no
 * URL is fetched, other tenants' keys see nothing, and bad input is a 400 naming the block.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class ChainCheckApiTest {
    static final String HOST = "adfs.fabrikam.test";
    // R1 is in the stores of API 92 and 94; R2 only in 94's; R2 cross-signed by R1 is known from elsewhere.
    static final Cert R1 = TestPki.root("Chain Check Old Root");
    static final Cert R2 = TestPki.root("Chain Check New Root");
    static final Cert R2_BY_R1 = R2.crossSignedBy(R1);
    static final Cert INT = R2.issueIntermediate("Chain Check Issuing CA");
    static final Cert LEAF = INT.issueLeaf(HOST);

    @Inject
    EntityManager em;

    @Test
    void pastedChainIsJudgedLikeAScanWithTheServerFixAndNothingIsStored() {
        store("chain-check-92", 92, R1);
        store("chain-check-94", 94, R1, R2);
        String[] a = ApiFixtures.tenantWithAdmin("chain-check");
        String console = ApiFixtures.issueKey(a[0], "console");
        // the cross-sign is known because another tenant uploaded it (the certificate table is shared, as for scans)
        String[] other = ApiFixtures.tenantWithAdmin("chain-check-other");
        as(other[1]).contentType(ContentType.JSON).body(Map.of("pem", pem(R2_BY_R1)))
                .post("/api/v1/tenants/{t}/anchors", other[0]).then().statusCode(201);
        long certificatesBefore = certificateRows(LEAF, INT);

        JsonPath result = new JsonPath(as(console).contentType(ContentType.JSON)
                .body(Map.of("chain", pem(LEAF, INT), "serverName", HOST))
                .post("/api/v1/tenants/{t}/chain-checks", a[0]).then().statusCode(200).extract().asString());

        assertThat(result.getList("presented.sha256")).containsExactly(LEAF.sha256(), INT.sha256());
        assertThat(result.getList("completedPath")).containsExactly(LEAF.sha256(), INT.sha256(), R2.sha256());
        assertThat(result.getString("serverName")).isEqualTo(HOST);
        assertThat(result.getBoolean("perApiLevel.find { it.apiLevel == 92 }.trusted")).isFalse();
        assertThat(result.getBoolean("perApiLevel.find { it.apiLevel == 94 }.trusted")).isTrue();
        assertThat(result.getList("serverFix.chain")).containsExactly(LEAF.sha256(), INT.sha256(),
                R2_BY_R1.sha256());
        assertThat(result.getBoolean("serverFix.changesPresented")).isTrue();
        assertThat(result.getBoolean("serverFix.perApiLevel.find { it.apiLevel == 92 }.trusted")).isTrue();
        assertThat(result.getBoolean("serverFix.perApiLevel.find { it.apiLevel == 92 }.trustedAsPresented"))
                .isFalse();
        assertThat(result.getList("serverFix.levelsNotFixed", Integer.class)).doesNotContain(92, 94)
                .isNotEmpty(); // the bundled stores hold neither test root
        // nothing was written
        assertThat(certificateRows(LEAF, INT)).isEqualTo(certificatesBefore).isZero();
        assertThat(tenantRows("scan", a[0])).isZero();
        assertThat(tenantRows("chain_event", a[0])).isZero();
    }

    @Test
    void aCompleteChainNeedsNoServerChangeAndAtJudgesAnotherInstant() {
        store("chain-check-94", 94, R1, R2);
        String[] a = ApiFixtures.tenantWithAdmin("chain-check-at");
        Instant after = LEAF.cert().getNotAfter().toInstant().plus(Duration.ofDays(1));

        JsonPath now = new JsonPath(as(a[1]).contentType(ContentType.JSON)
                .body(Map.of("chain", pem(LEAF, INT, R2), "serverName", HOST))
                .post("/api/v1/tenants/{t}/chain-checks", a[0]).then().statusCode(200).extract().asString());
        JsonPath later = new JsonPath(as(a[1]).contentType(ContentType.JSON)
                .body(Map.of("chain", pem(LEAF, INT, R2), "serverName", HOST, "at", after.toString()))
                .post("/api/v1/tenants/{t}/chain-checks", a[0]).then().statusCode(200).extract().asString());

        assertThat(now.getList("serverFix.chain")).containsExactly(LEAF.sha256(), INT.sha256());
        assertThat(now.getBoolean("serverFix.changesPresented")).isFalse();
        assertThat(now.getBoolean("perApiLevel.find { it.apiLevel == 94 }.trusted")).isTrue();
        assertThat(Instant.parse(later.getString("checkedAt"))).isEqualTo(after);
        assertThat(later.getBoolean("perApiLevel.find { it.apiLevel == 94 }.trusted")).isFalse();
        assertThat(later.getList("findings.code")).contains("EXPIRED");
    }

    @Test
    void aiaUrlsOfAPastedChainAreNeverFetched() throws Exception {
        store("chain-check-94", 94, R1, R2);
        String[] a = ApiFixtures.tenantWithAdmin("chain-check-aia");
        Cert hidden = R2.issueIntermediate("Chain Check Hidden CA " + UUID.randomUUID());
        try (StaticHttpServer http = StaticHttpServer.start()) {
            String url = http.serve("/hidden.cer", CertificateEncoder.der(hidden.cert()));
            Cert leaf = hidden.leaf(HOST).aia(url).build();

            JsonPath result = new JsonPath(as(a[1]).contentType(ContentType.JSON)
                    .body(Map.of("chain", pem(leaf), "serverName", HOST))
                    .post("/api/v1/tenants/{t}/chain-checks", a[0]).then().statusCode(200).extract().asString());

            // a scan would have fetched the intermediate (the tests allow loopback); a check does not
            assertThat(result.getList("findings.code")).contains("MISSING_INTERMEDIATE").doesNotContain("AIA_FETCHED");
            assertThat(result.getList("completedPath")).isEmpty();
            assertThat(result.getBoolean("perApiLevel.find { it.apiLevel == 94 }.trusted")).isFalse();
        }
    }

    @Test
    void anotherTenantsKeySeesNothing() {
        String[] a = ApiFixtures.tenantWithAdmin("chain-check-a");
        String[] b = ApiFixtures.tenantWithAdmin("chain-check-b");
        String consoleOfB = ApiFixtures.issueKey(b[0], "console");

        as(consoleOfB).contentType(ContentType.JSON).body(Map.of("chain", pem(LEAF, INT)))
                .post("/api/v1/tenants/{t}/chain-checks", a[0]).then().statusCode(404);
        as(b[1]).contentType(ContentType.JSON).body(Map.of("chain", pem(LEAF, INT)))
                .post("/api/v1/tenants/{t}/chain-checks", a[0]).then().statusCode(404);
        as(consoleOfB).contentType(ContentType.JSON).body(Map.of("chain", pem(LEAF, INT)))
                .post("/api/v1/tenants/{t}/chain-checks", b[0]).then().statusCode(200);
    }

    @Test
    void badInputIsAProblemNamingTheBlock() {
        String[] a = ApiFixtures.tenantWithAdmin("chain-check-bad");
        String path = "/api/v1/tenants/{t}/chain-checks";
        String broken = pem(LEAF) + "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n";
        as(a[1]).contentType(ContentType.JSON).body(Map.of("chain", broken)).post(path, a[0]).then()
                .statusCode(400).contentType("application/problem+json")
                .body("type", org.hamcrest.Matchers.equalTo("urn:trustfleet:problem:validation"))
                .body("detail", containsString("block 2"));

        List<Cert> many = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            many.add(LEAF);
        }
        as(a[1]).contentType(ContentType.JSON).body(Map.of("chain", pem(many.toArray(Cert[]::new))))
                .post(path, a[0]).then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.allOf(containsString("block 21"),
                        containsString("more than 20 certificates")));

        String oversized = pem(LEAF) + "x".repeat(70_000);
        as(a[1]).contentType(ContentType.JSON).body(Map.of("chain", oversized)).post(path, a[0]).then()
                .statusCode(400).body("detail", containsString("larger than the limit of 65536 bytes"));

        as(a[1]).contentType(ContentType.JSON).body(Map.of("chain", "hello")).post(path, a[0]).then()
                .statusCode(400).body("detail", containsString("no PEM block"));
        // breaks the contract on purpose (chain is required): only the answer is held to it
        invalidRequest().auth().oauth2(a[1]).contentType(ContentType.JSON).body(Map.of("serverName", HOST))
                .post(path, a[0]).then()
                .statusCode(400).body("detail", containsString("'chain' is required"));
        Map<String, Object> badName = new HashMap<>(Map.of("chain", pem(LEAF, INT), "serverName", "a b"));
        as(a[1]).contentType(ContentType.JSON).body(badName).post(path, a[0]).then().statusCode(400)
                .body("detail", containsString("serverName"));
    }

    private static void store(String name, int apiLevel, Cert... roots) {
        asOperator().contentType(ContentType.JSON).body(Map.of("name", name, "platform", "android",
                        "apiLevel", apiLevel, "pem", pem(roots)))
                .post("/api/v1/trust-stores").then().statusCode(oneOf(200, 201));
    }

    private static String pem(Cert... certs) {
        return CertificateEncoder.toPem(TestPki.certs(certs));
    }

    private long certificateRows(Cert... certs) {
        List<String> ids = java.util.Arrays.stream(certs).map(Cert::sha256).toList();
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "SELECT count(*) FROM certificate WHERE sha256 IN (?1)").setParameter(1, ids)
                .getSingleResult()).longValue());
    }

    private long tenantRows(String table, String tenantId) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "SELECT count(*) FROM " + table + " WHERE tenant_id = ?1").setParameter(1, UUID.fromString(tenantId))
                .getSingleResult()).longValue());
    }
}
