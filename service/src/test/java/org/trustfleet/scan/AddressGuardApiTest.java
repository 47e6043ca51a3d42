package org.trustfleet.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.trustfleet.pki.TestPki;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.testing.ProductionAddressGuard;

/**
 * The production default ({@code trustfleet.scanner.allow-private-addresses=false}): a tenant cannot make the
 * scanner reach the deployment's own loopback, whatever form the address takes. The scan is stored with status
 * BLOCKED_ADDRESS and the server never sees a connection.
 */
@QuarkusTest
@TestProfile(ProductionAddressGuard.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class AddressGuardApiTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"127.0.0.1", "localhost", "::ffff:127.0.0.1", "127.1.2.3"})
    void loopbackEndpointIsBlockedWithoutAConnection(String host) throws Exception {
        TestPki.Cert root = TestPki.root("Guard Root");
        TestPki.Cert leaf = root.issueLeaf("sts.guard.test");
        String[] t = ApiFixtures.tenantWithAdmin("guard");
        try (TestTlsServer server = TestTlsServer.tls(TestPki.certs(leaf, root), leaf.keyPair().getPrivate())) {
            String endpoint = as(t[1]).contentType(ContentType.JSON)
                    .body(Map.of("name", "internal", "host", host, "port", server.port(),
                            "serverName", "sts.guard.test"))
                    .post("/api/v1/tenants/{t}/endpoints", t[0]).then().statusCode(201).extract().path("id");
            JsonPath scan = new JsonPath(as(t[1]).post("/api/v1/tenants/{t}/endpoints/{e}/scans", t[0], endpoint)
                    .then().statusCode(201).extract().asString());
            assertThat(scan.getString("status")).isEqualTo("BLOCKED_ADDRESS");
            assertThat(scan.getString("error")).isNotBlank();
            assertThat(scan.getList("presented")).isEmpty();
            assertThat(scan.getList("perApiLevel")).isEmpty();
            assertThat(server.connections()).as("connections reaching the loopback server").isZero();
            as(t[1]).get("/api/v1/tenants/{t}/endpoints/{e}/scans/latest", t[0], endpoint).then().statusCode(200)
                    .body("status", org.hamcrest.Matchers.equalTo("BLOCKED_ADDRESS"));
        }
    }
}
