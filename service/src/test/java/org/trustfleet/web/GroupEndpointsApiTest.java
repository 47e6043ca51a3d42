package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
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

/**
 * A group's endpoints are a relation: deleting an endpoint removes it from the groups that name it and recomputes
 * them, and a group whose named endpoints are all gone covers none (it does not silently widen to every endpoint)
 * and says so. Levels 30–34 use the bundled Android stores.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class GroupEndpointsApiTest {
    static final String HOST = "sts.contoso.test";
    static final Cert ROOT = TestPki.root("Group Endpoints Private Root");

    private TestTlsServer server;
    private String tenant;
    private String admin;

    @BeforeEach
    void setUp() {
        String[] t = ApiFixtures.tenantWithAdmin("group-endpoints");
        tenant = t[0];
        admin = t[1];
    }

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void deletingAnEndpointRemovesItFromItsGroupsAndAGroupLeftWithoutEndpointsSaysSo() throws Exception {
        Cert intermediate = ROOT.issueIntermediate("Group Endpoints Issuing CA");
        Cert leaf = intermediate.issueLeaf(HOST);
        server = TestTlsServer.tls(TestPki.certs(leaf, intermediate), leaf.keyPair().getPrivate());
        as(admin).contentType(ContentType.JSON).body(Map.of("pem", CertificateEncoder.toPem(List.of(ROOT.cert()))))
                .post("/api/v1/tenants/{t}/anchors", tenant).then().statusCode(201);
        String a = endpoint("a", server.port());
        String b = endpoint("b", 9);
        as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, a).then().statusCode(201);
        String named = group("names a and b", a, b);
        String all = group("names none");

        JsonPath before = requirements(named);
        assertThat(before.getList("certificates.sha256")).containsExactly(ROOT.sha256());
        assertThat(before.getList("unresolved.endpointId")).containsExactly(b);

        // a is deleted: it leaves the group, whose requirements are recomputed without it
        as(admin).delete("/api/v1/tenants/{t}/endpoints/{e}", tenant, a).then().statusCode(204);
        assertThat(endpointIds(named)).containsExactly(b);
        JsonPath withoutA = requirements(named);
        assertThat(withoutA.getList("certificates")).isEmpty();
        assertThat(withoutA.getLong("version")).isEqualTo(before.getLong("version") + 1);
        assertThat(withoutA.getList("unresolved.endpointId")).as("no dangling endpoint is reported").containsOnly(b);

        // b is deleted too: the group covers no endpoint and says exactly that (stores for 30..34 are known)
        as(admin).delete("/api/v1/tenants/{t}/endpoints/{e}", tenant, b).then().statusCode(204);
        assertThat(endpointIds(named)).isEmpty();
        JsonPath none = requirements(named);
        assertThat(none.getList("certificates")).isEmpty();
        assertThat(none.getList("unresolved")).isEmpty();
        assertThat(none.getList("advice.code")).containsExactly("NO_ENDPOINTS");
        assertThat(none.getString("advice[0].detail")).contains("the endpoints this group named were deleted");
        assertThat(requirements(all).getList("advice.code")).containsExactly("NO_ENDPOINTS");

        // a new endpoint joins the group that names none, not the one whose named endpoints are gone
        String c = endpoint("c", 9);
        assertThat(requirements(all).getList("unresolved.endpointId")).containsOnly(c);
        assertThat(requirements(all).getList("advice.code")).doesNotContain("NO_ENDPOINTS");
        assertThat(requirements(named).getList("unresolved")).isEmpty();
        assertThat(requirements(named).getList("advice.code")).containsExactly("NO_ENDPOINTS");
    }

    private String endpoint(String name, int port) {
        return as(admin).contentType(ContentType.JSON).body(Map.of("name", name, "host", "127.0.0.1",
                        "port", port, "serverName", HOST))
                .post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201).extract().path("id");
    }

    private String group(String name, String... endpointIds) {
        return as(admin).contentType(ContentType.JSON).body(Map.of("name", name, "minApiLevel", 30,
                        "maxApiLevel", 34, "endpointIds", List.of(endpointIds)))
                .post("/api/v1/tenants/{t}/device-groups", tenant).then().statusCode(201).extract().path("id");
    }

    private List<String> endpointIds(String group) {
        return as(admin).get("/api/v1/tenants/{t}/device-groups/{g}", tenant, group).then().statusCode(200)
                .extract().path("endpointIds");
    }

    private JsonPath requirements(String group) {
        return new JsonPath(as(admin).get("/api/v1/tenants/{t}/device-groups/{g}/requirements", tenant, group)
                .then().statusCode(200).extract().asString());
    }
}
