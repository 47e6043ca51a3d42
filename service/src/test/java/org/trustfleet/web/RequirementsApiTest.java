package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.oneOf;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.asOperator;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.testing.StaticHttpServer;

/**
 * Requirements end to end: real endpoints scanned, two device groups over different API ranges, and the exact
 * sets and reasons the engine derives; plus versioning and recomputing only the groups a change affects.
 *
 * <p>Operator stores stand for four test levels: 80–81 trust only the old root, 85–86 the old and the new.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class RequirementsApiTest {
    static final String HOST = "adfs.fabrikam.test";
    static final Cert OLD_ROOT = TestPki.root("Requirements Old Root");
    static final Cert NEW_ROOT = TestPki.root("Requirements New Root");

    private final Map<String, TestTlsServer> servers = new HashMap<>();
    private StaticHttpServer aia;
    private String tenant;
    private String admin;

    @BeforeEach
    void setUp() throws Exception {
        for (int level : new int[] {80, 81, 85, 86}) {
            List<java.security.cert.X509Certificate> roots = level < 85 ? List.of(OLD_ROOT.cert())
                    : List.of(OLD_ROOT.cert(), NEW_ROOT.cert());
            asOperator().contentType(ContentType.JSON).body(Map.of("name", "requirements-api-" + level,
                            "platform", "android", "apiLevel", level, "pem", CertificateEncoder.toPem(roots)))
                    .post("/api/v1/trust-stores").then().statusCode(oneOf(200, 201));
        }
        aia = StaticHttpServer.start();
        String[] t = ApiFixtures.tenantWithAdmin("requirements");
        tenant = t[0];
        admin = t[1];
    }

    @AfterEach
    void tearDown() throws Exception {
        for (TestTlsServer server : servers.values()) {
            server.close();
        }
        aia.close();
    }

    @Test
    void twoGroupsGetTheirExactSetsWithReasons() throws Exception {
        // A: leaf only, intermediate published by AIA
        Cert intA = OLD_ROOT.issueIntermediate("Fabrikam Issuing CA A");
        Cert leafA = intA.leaf(HOST).aia(aia.serve("/a.cer", intA.cert().getEncoded())).build();
        String a = endpoint("a", TestTlsServer.tls(TestPki.certs(leafA), leafA.keyPair().getPrivate()));
        // B: complete chain to the new root, which old levels lack
        Cert intB = NEW_ROOT.issueIntermediate("Fabrikam Issuing CA B");
        Cert leafB = intB.issueLeaf(HOST);
        String b = endpoint("b", TestTlsServer.tls(TestPki.certs(leafB, intB), leafB.keyPair().getPrivate()));
        // C: on-premises AD FS under a private root the tenant registered as an anchor
        Cert privateRoot = TestPki.root("Fabrikam Private Root");
        Cert intC = privateRoot.issueIntermediate("Fabrikam AD FS CA");
        Cert leafC = intC.issueLeaf(HOST);
        as(admin).contentType(ContentType.JSON).body(Map.of("pem", CertificateEncoder.toPem(
                List.of(privateRoot.cert())))).post("/api/v1/tenants/{t}/anchors", tenant).then().statusCode(201);
        String c = endpoint("c", TestTlsServer.tls(TestPki.certs(leafC, intC), leafC.keyPair().getPrivate()));
        // D: expired leaf, nothing on the device can fix it
        Cert intD = OLD_ROOT.issueIntermediate("Fabrikam Issuing CA D");
        Cert leafD = intD.leaf(HOST).expired().build();
        String d = endpoint("d", TestTlsServer.tls(TestPki.certs(leafD, intD), leafD.keyPair().getPrivate()));
        for (String endpoint : List.of(a, b, c, d)) {
            as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, endpoint).then().statusCode(201);
        }

        String oldGroup = group("old devices", 80, 81);
        String newGroup = group("new devices", 85, 86);

        JsonPath old = requirements(oldGroup);
        // roots first, then intermediates, each by sha256
        assertThat(old.getList("certificates.sha256")).containsExactlyElementsOf(ordered(
                List.of(NEW_ROOT, privateRoot), List.of(intA)));
        assertThat(reasons(old, intA.sha256())).containsExactly(Map.of("endpointId", a, "apiLevels", List.of(80, 81),
                "code", "MISSING_INTERMEDIATE"));
        assertThat(reasons(old, NEW_ROOT.sha256())).containsExactly(Map.of("endpointId", b,
                "apiLevels", List.of(80, 81), "code", "UNTRUSTED_ROOT"));
        assertThat(reasons(old, privateRoot.sha256())).containsExactly(Map.of("endpointId", c,
                "apiLevels", List.of(80, 81), "code", "PRIVATE_ANCHOR"));
        assertThat(old.getString("certificates.find { it.sha256 == '" + intA.sha256() + "' }.role"))
                .isEqualTo("intermediate");
        assertThat(old.getList("unresolved.code")).containsExactly("EXPIRED_LEAF");
        assertThat(old.getString("unresolved[0].endpointId")).isEqualTo(d);
        assertThat(old.getList("advice.code")).contains("SEND_INTERMEDIATE");
        assertThat(old.getString("advice.find { it.code == 'SEND_INTERMEDIATE' }.endpointId")).isEqualTo(a);
        assertThat(old.getLong("version")).isEqualTo(1);
        // the server fixes, for the group's levels: A must send its intermediate; no chain B could send helps 80-81
        assertThat(old.getList("serverFixes.endpointId")).containsExactlyInAnyOrder(a, b, c, d);
        assertThat(old.getList("serverFixes.find { it.endpointId == '" + a + "' }.serverFix.chain"))
                .containsExactly(leafA.sha256(), intA.sha256());
        assertThat(old.getBoolean("serverFixes.find { it.endpointId == '" + a + "' }.serverFix.changesPresented"))
                .isTrue();
        assertThat(old.getList("serverFixes.find { it.endpointId == '" + a + "' }.serverFix.levelsNotFixed"))
                .isEmpty();
        assertThat(old.getList("serverFixes.find { it.endpointId == '" + b + "' }.serverFix.levelsNotFixed"))
                .containsExactly(80, 81);
        assertThat(old.getList("serverFixes.find { it.endpointId == '" + b + "' }.serverFix.perApiLevel.apiLevel"))
                .containsExactly(80, 81);

        JsonPath fresh = requirements(newGroup);
        assertThat(fresh.getList("certificates.sha256")).containsExactlyElementsOf(ordered(List.of(privateRoot),
                List.of(intA)));
        assertThat(reasons(fresh, intA.sha256()).get(0).get("apiLevels")).isEqualTo(List.of(85, 86));
        assertThat(fresh.getList("unresolved.code")).containsExactly("EXPIRED_LEAF");
        // B's chain is accepted by every level of the new group: nothing to fix on its server there
        assertThat(fresh.getList("serverFixes.endpointId")).containsExactlyInAnyOrder(a, c, d);
    }

    @Test
    void versionMovesOnlyWhenTheSetChangesAndOnlyAffectedGroupsRecompute() throws Exception {
        Cert intB = NEW_ROOT.issueIntermediate("Rotating CA");
        Cert leafB = intB.issueLeaf(HOST);
        String b = endpoint("b", TestTlsServer.tls(TestPki.certs(leafB, intB), leafB.keyPair().getPrivate()));
        Cert intE = OLD_ROOT.issueIntermediate("Steady CA");
        Cert leafE = intE.issueLeaf(HOST);
        String e = endpoint("e", TestTlsServer.tls(TestPki.certs(leafE, intE), leafE.keyPair().getPrivate()));
        scan(b);
        scan(e);
        String watchesB = group("watches b", 80, 81, b);
        String watchesE = group("watches e", 80, 81, e);
        JsonPath before = requirements(watchesB);
        assertThat(before.getList("certificates.sha256")).containsExactly(NEW_ROOT.sha256());
        String eComputedAt = requirements(watchesE).getString("computedAt");

        // a rescan with the same outcome changes nothing
        scan(b);
        assertThat(requirements(watchesB).getLong("version")).isEqualTo(before.getLong("version"));

        // B moves to a chain under the old root: the set empties, the version moves; E's group is untouched
        Cert intB2 = OLD_ROOT.issueIntermediate("Rotated CA");
        Cert leafB2 = intB2.issueLeaf(HOST);
        TestTlsServer moved = TestTlsServer.tls(TestPki.certs(leafB2, intB2), leafB2.keyPair().getPrivate());
        servers.put("b2", moved);
        as(admin).contentType(ContentType.JSON).body(Map.of("name", "b", "host", "127.0.0.1", "port", moved.port(),
                "serverName", HOST)).put("/api/v1/tenants/{t}/endpoints/{e}", tenant, b).then().statusCode(200);
        String eAfterEndpointEdit = requirements(watchesE).getString("computedAt");
        // the payload lists the endpoint's address for devices to verify: the new port alone is a new version
        long afterEdit = requirements(watchesB).getLong("version");
        assertThat(afterEdit).isEqualTo(before.getLong("version") + 1);
        scan(b);
        JsonPath after = requirements(watchesB);
        assertThat(after.getList("certificates")).isEmpty();
        assertThat(after.getLong("version")).isEqualTo(afterEdit + 1);
        assertThat(requirements(watchesE).getString("computedAt")).as("E's group is not affected by B's scan")
                .isEqualTo(eAfterEndpointEdit);
        assertThat(eComputedAt).isNotNull();
    }

    @Test
    void excludedCertificateThatIsNeededIsUnresolved() throws Exception {
        Cert intB = NEW_ROOT.issueIntermediate("Excluded Path CA");
        Cert leafB = intB.issueLeaf(HOST);
        String b = endpoint("b", TestTlsServer.tls(TestPki.certs(leafB, intB), leafB.keyPair().getPrivate()));
        scan(b);
        String groupId = as(admin).contentType(ContentType.JSON).body(Map.of("name", "no new root",
                        "minApiLevel", 80, "maxApiLevel", 81, "exclude", List.of(NEW_ROOT.sha256(), intB.sha256())))
                .post("/api/v1/tenants/{t}/device-groups", tenant).then().statusCode(201).extract().path("id");
        JsonPath requirements = requirements(groupId);
        assertThat(requirements.getList("certificates")).isEmpty();
        assertThat(requirements.getList("unresolved.code")).containsExactly("EXCLUDED_CERTIFICATE_NEEDED");
    }

    // --- helpers

    private String endpoint(String name, TestTlsServer server) {
        servers.put(name, server);
        return as(admin).contentType(ContentType.JSON).body(Map.of("name", name, "host", "127.0.0.1",
                        "port", server.port(), "serverName", HOST))
                .post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201).extract().path("id");
    }

    private void scan(String endpoint) {
        as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, endpoint).then().statusCode(201);
    }

    private String group(String name, int min, int max, String... endpointIds) {
        return as(admin).contentType(ContentType.JSON).body(Map.of("name", name, "minApiLevel", min,
                        "maxApiLevel", max, "endpointIds", List.of(endpointIds)))
                .post("/api/v1/tenants/{t}/device-groups", tenant).then().statusCode(201).extract().path("id");
    }

    private JsonPath requirements(String group) {
        return new JsonPath(as(admin).get("/api/v1/tenants/{t}/device-groups/{g}/requirements", tenant, group)
                .then().statusCode(200).extract().asString());
    }

    private static List<Map<String, Object>> reasons(JsonPath requirements, String sha256) {
        return requirements.getList("certificates.find { it.sha256 == '" + sha256 + "' }.reasons");
    }

    private static List<String> ordered(List<Cert> roots, List<Cert> intermediates) {
        List<String> result = new java.util.ArrayList<>(roots.stream().map(Cert::sha256).sorted().toList());
        result.addAll(intermediates.stream().map(Cert::sha256).sorted().toList());
        return result;
    }
}
