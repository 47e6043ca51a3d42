package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.trustfleet.testing.Contract.api;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.invalidRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.tenant.Role;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * The access matrix of every protected route: no token, an unknown token, a revoked key, each role, and a key of
 * another tenant. Add a row here for every new route.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class AccessMatrixTest {

    /**
     * The fixture a route runs in: tenant A with its keys, a device group with an enrolled and a revoked device,
     * and tenant B's admin.
     */
    record World(String tenantA, String adminA, String consoleA, String revokedAdminA, String adminB, String groupA,
            String deviceIdA, String deviceA, String revokedDeviceA) {}

    /** One protected route: how to call it in a world, and who may. */
    record Route(String name, Set<Role> allowed, boolean tenantScoped,
            Function<World, Function<RequestSpecification, Response>> call) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Route> routes() {
        return List.of(
                new Route("POST /tenants", EnumSet.of(Role.OPERATOR), false,
                        w -> r -> r.contentType(ContentType.JSON).body(Map.of("name", "t-" + System.nanoTime()))
                                .post("/api/v1/tenants")),
                new Route("GET /tenants", EnumSet.of(Role.OPERATOR), false,
                        w -> r -> r.get("/api/v1/tenants")),
                new Route("POST /tenants/{t}/api-keys", EnumSet.of(Role.OPERATOR, Role.ADMIN), true,
                        w -> r -> r.contentType(ContentType.JSON).body(Map.of("name", "k", "role", "console"))
                                .post("/api/v1/tenants/{t}/api-keys", w.tenantA())),
                new Route("GET /tenants/{t}/api-keys", EnumSet.of(Role.OPERATOR, Role.ADMIN), true,
                        w -> r -> r.get("/api/v1/tenants/{t}/api-keys", w.tenantA())),
                new Route("DELETE /tenants/{t}/api-keys/{k}", EnumSet.of(Role.OPERATOR, Role.ADMIN), true,
                        w -> r -> r.delete("/api/v1/tenants/{t}/api-keys/{k}", w.tenantA(),
                                keyIdOf(w, ApiFixtures.issueKey(w.tenantA(), "console")))),
                new Route("GET /trust-stores", EnumSet.of(Role.OPERATOR), false,
                        w -> r -> r.get("/api/v1/trust-stores")),
                new Route("POST /trust-stores", EnumSet.of(Role.OPERATOR), false,
                        w -> r -> r.contentType(ContentType.JSON).body(Map.of("name", "matrix-store",
                                "platform", "android", "apiLevel", 98, "pem", MATRIX_ROOT_PEM))
                                .post("/api/v1/trust-stores")),
                new Route("GET /tenants/{t}/anchors", EnumSet.of(Role.ADMIN, Role.CONSOLE), true,
                        w -> r -> r.get("/api/v1/tenants/{t}/anchors", w.tenantA())),
                new Route("POST /tenants/{t}/anchors", EnumSet.of(Role.ADMIN), true,
                        w -> r -> r.contentType(ContentType.JSON).body(Map.of("pem", MATRIX_ROOT_PEM))
                                .post("/api/v1/tenants/{t}/anchors", w.tenantA())),
                new Route("DELETE /tenants/{t}/anchors/{sha256}", EnumSet.of(Role.ADMIN), true,
                        w -> r -> r.delete("/api/v1/tenants/{t}/anchors/{sha}", w.tenantA(), anchorOf(w))),
                new Route("GET /tenants/{t}/endpoints", EnumSet.of(Role.ADMIN, Role.CONSOLE), true,
                        w -> r -> r.get("/api/v1/tenants/{t}/endpoints", w.tenantA())),
                new Route("POST /tenants/{t}/endpoints", EnumSet.of(Role.ADMIN), true,
                        w -> r -> r.contentType(ContentType.JSON).body(endpointBody())
                                .post("/api/v1/tenants/{t}/endpoints", w.tenantA())),
                new Route("GET /tenants/{t}/endpoints/{e}", EnumSet.of(Role.ADMIN, Role.CONSOLE), true,
                        w -> r -> r.get("/api/v1/tenants/{t}/endpoints/{e}", w.tenantA(), endpointOf(w))),
                new Route("PUT /tenants/{t}/endpoints/{e}", EnumSet.of(Role.ADMIN), true,
                        w -> r -> r.contentType(ContentType.JSON).body(endpointBody())
                                .put("/api/v1/tenants/{t}/endpoints/{e}", w.tenantA(), endpointOf(w))),
                new Route("DELETE /tenants/{t}/endpoints/{e}", EnumSet.of(Role.ADMIN), true,
                        w -> r -> r.delete("/api/v1/tenants/{t}/endpoints/{e}", w.tenantA(), endpointOf(w))),
                new Route("POST /tenants/{t}/endpoints/{e}/scans", EnumSet.of(Role.ADMIN), true,
                        w -> r -> r.post("/api/v1/tenants/{t}/endpoints/{e}/scans", w.tenantA(), endpointOf(w))),
                new Route("GET /tenants/{t}/endpoints/{e}/scans", EnumSet.of(Role.ADMIN, Role.CONSOLE), true,
                        w -> r -> r.get("/api/v1/tenants/{t}/endpoints/{e}/scans", w.tenantA(),
                                scannedEndpointOf(w))),
                new Route("GET /tenants/{t}/endpoints/{e}/scans/latest", EnumSet.of(Role.ADMIN, Role.CONSOLE),
                        true, w -> r -> r.get("/api/v1/tenants/{t}/endpoints/{e}/scans/latest", w.tenantA(),
                                scannedEndpointOf(w))),
                new Route("GET /tenants/{t}/device-groups", EnumSet.of(Role.ADMIN, Role.CONSOLE), true,
                        w -> r -> r.get("/api/v1/tenants/{t}/device-groups", w.tenantA())),
                new Route("POST /tenants/{t}/device-groups", EnumSet.of(Role.ADMIN), true,
                        w -> r -> r.contentType(ContentType.JSON).body(Map.of("name", "g-" + System.nanoTime(),
                                "minApiLevel", 21, "maxApiLevel", 34))
                                .post("/api/v1/tenants/{t}/device-groups", w.tenantA())),
                new Route("GET /tenants/{t}/device-groups/{g}", EnumSet.of(Role.ADMIN, Role.CONSOLE), true,
                        w -> r -> r.get("/api/v1/tenants/{t}/device-groups/{g}", w.tenantA(), w.groupA())),
                new Route("PUT /tenants/{t}/device-groups/{g}", EnumSet.of(Role.ADMIN), true,
                        w -> r -> r.contentType(ContentType.JSON).body(Map.of("name", "g-" + System.nanoTime(),
                                "minApiLevel", 21, "maxApiLevel", 34))
                                .put("/api/v1/tenants/{t}/device-groups/{g}", w.tenantA(),
                                        DeviceFixtures.group(w.tenantA(), w.adminA(), "put-" + System.nanoTime(),
                                                List.of()))),
                new Route("DELETE /tenants/{t}/device-groups/{g}", EnumSet.of(Role.ADMIN), true,
                        w -> r -> r.delete("/api/v1/tenants/{t}/device-groups/{g}", w.tenantA(),
                                DeviceFixtures.group(w.tenantA(), w.adminA(), "del-" + System.nanoTime(),
                                        List.of()))),
                new Route("GET /tenants/{t}/device-groups/{g}/requirements", EnumSet.of(Role.ADMIN, Role.CONSOLE),
                        true, w -> r -> r.get("/api/v1/tenants/{t}/device-groups/{g}/requirements", w.tenantA(),
                                w.groupA())),
                new Route("GET /tenants/{t}/device-groups/{g}/payload-definition", EnumSet.of(Role.ADMIN,
                        Role.CONSOLE), true, w -> r -> r.get(
                                "/api/v1/tenants/{t}/device-groups/{g}/payload-definition?format=pem", w.tenantA(),
                                w.groupA())),
                new Route("POST /tenants/{t}/chain-checks", EnumSet.of(Role.ADMIN, Role.CONSOLE), true,
                        w -> r -> r.contentType(ContentType.JSON).body(Map.of("chain", MATRIX_ROOT_PEM))
                                .post("/api/v1/tenants/{t}/chain-checks", w.tenantA())),
                new Route("GET /tenants/{t}/drift-report", EnumSet.of(Role.ADMIN, Role.CONSOLE), true,
                        w -> r -> r.get("/api/v1/tenants/{t}/drift-report", w.tenantA())),
                new Route("POST /tenants/{t}/enrollment-tokens", EnumSet.of(Role.ADMIN), true,
                        w -> r -> r.contentType(ContentType.JSON).body(Map.of("deviceGroupId", w.groupA(),
                                "expiresInSeconds", 600, "maxUses", 1))
                                .post("/api/v1/tenants/{t}/enrollment-tokens", w.tenantA())),
                new Route("GET /tenants/{t}/enrollment-tokens", EnumSet.of(Role.ADMIN), true,
                        w -> r -> r.get("/api/v1/tenants/{t}/enrollment-tokens", w.tenantA())),
                new Route("DELETE /tenants/{t}/enrollment-tokens/{id}", EnumSet.of(Role.ADMIN), true,
                        w -> r -> r.delete("/api/v1/tenants/{t}/enrollment-tokens/{id}", w.tenantA(),
                                enrollmentTokenIdOf(w))),
                new Route("GET /tenants/{t}/devices", EnumSet.of(Role.ADMIN, Role.CONSOLE), true,
                        w -> r -> r.get("/api/v1/tenants/{t}/devices", w.tenantA())),
                new Route("GET /tenants/{t}/devices/{d}", EnumSet.of(Role.ADMIN, Role.CONSOLE), true,
                        w -> r -> r.get("/api/v1/tenants/{t}/devices/{d}", w.tenantA(), w.deviceIdA())),
                new Route("DELETE /tenants/{t}/devices/{d}", EnumSet.of(Role.ADMIN), true,
                        w -> r -> r.delete("/api/v1/tenants/{t}/devices/{d}", w.tenantA(),
                                DeviceFixtures.device(w.tenantA(), w.adminA(), w.groupA()).id())),
                new Route("GET /tenants/{t}/signing-keys/current", EnumSet.of(Role.ADMIN, Role.CONSOLE), true,
                        w -> r -> r.get("/api/v1/tenants/{t}/signing-keys/current", w.tenantA())),
                new Route("POST /tenants/{t}/signing-keys/rotate", EnumSet.of(Role.ADMIN), true,
                        w -> r -> r.post("/api/v1/tenants/{t}/signing-keys/rotate", w.tenantA())),
                new Route("GET /device/payload", EnumSet.of(Role.DEVICE), false,
                        w -> r -> r.get("/api/v1/device/payload")),
                new Route("POST /device/reports", EnumSet.of(Role.DEVICE), false,
                        w -> r -> r.contentType(ContentType.JSON).body(Map.of("payloadVersion", 0,
                                "installed", List.of(), "apiLevel", 95)).post("/api/v1/device/reports")));
    }

    /** A CA certificate for the trust-store and anchor rows, generated once per run. */
    private static final String MATRIX_ROOT_PEM = CertificateEncoder.toPem(
            List.of(TestPki.root("Access Matrix Root").cert()));

    /** An endpoint on a refused loopback port: a scan of it is quick (CONNECT_REFUSED) and still stored. */
    private static Map<String, Object> endpointBody() {
        return Map.of("name", "e-" + System.nanoTime(), "host", "127.0.0.1", "port", 9, "serverName",
                "sts.matrix.test", "scanIntervalMinutes", 10080);
    }

    /** Creates an endpoint of tenant A (as its admin) for a row that needs one. */
    private static String endpointOf(World w) {
        return as(w.adminA()).contentType(ContentType.JSON).body(endpointBody())
                .post("/api/v1/tenants/{t}/endpoints", w.tenantA()).then().statusCode(201).extract().path("id");
    }

    /** Creates an endpoint of tenant A with one stored scan, for the rows that read scans. */
    private static String scannedEndpointOf(World w) {
        String endpoint = endpointOf(w);
        as(w.adminA()).post("/api/v1/tenants/{t}/endpoints/{e}/scans", w.tenantA(), endpoint).then().statusCode(201);
        return endpoint;
    }

    /** A fresh enrollment token of tenant A's group, by id (each revocation in the matrix gets its own). */
    private static String enrollmentTokenIdOf(World w) {
        return as(w.adminA()).contentType(ContentType.JSON).body(Map.of("deviceGroupId", w.groupA(),
                        "expiresInSeconds", 600, "maxUses", 1))
                .post("/api/v1/tenants/{t}/enrollment-tokens", w.tenantA()).then().statusCode(201).extract()
                .path("id");
    }

    /** Makes sure tenant A has the matrix root as an anchor and returns its SHA-256. */
    private static String anchorOf(World w) {
        return as(w.adminA()).contentType(ContentType.JSON).body(Map.of("pem", MATRIX_ROOT_PEM))
                .post("/api/v1/tenants/{t}/anchors", w.tenantA()).then().statusCode(201).extract().path("[0].sha256");
    }

    private static World world;

    /**
     * One world for the whole class: building it enrolls devices and creates signers, and every row that changes
     * something changes only what it created itself, so the rows cannot disturb each other.
     */
    @BeforeEach
    void world() {
        if (world != null) {
            return;
        }
        String tenantA = ApiFixtures.createTenant("matrix-a");
        String adminA = ApiFixtures.issueKey(tenantA, "admin");
        String consoleA = ApiFixtures.issueKey(tenantA, "console");
        String revoked = ApiFixtures.issueKey(tenantA, "admin");
        as(adminA).delete("/api/v1/tenants/{t}/api-keys/{k}", tenantA, keyIdOf(tenantA, adminA, revoked))
                .then().statusCode(204);
        String tenantB = ApiFixtures.createTenant("matrix-b");
        String groupA = DeviceFixtures.group(tenantA, adminA, "matrix", List.of());
        DeviceFixtures.Device deviceA = DeviceFixtures.device(tenantA, adminA, groupA);
        DeviceFixtures.Device revokedDevice = DeviceFixtures.device(tenantA, adminA, groupA);
        as(adminA).delete("/api/v1/tenants/{t}/devices/{d}", tenantA, revokedDevice.id()).then().statusCode(204);
        world = new World(tenantA, adminA, consoleA, revoked, ApiFixtures.issueKey(tenantB, "admin"), groupA,
                deviceA.id(), deviceA.token(), revokedDevice.token());
    }

    static Stream<Route> allRoutes() {
        return routes().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allRoutes")
    void withoutTokenIsUnauthenticated(Route route) {
        Response response = route.call().apply(world).apply(invalidRequest());
        assertThat(response.statusCode()).isEqualTo(401);
        response.then().header("WWW-Authenticate", startsWith("Bearer"))
                .body("type", equalTo("urn:trustfleet:problem:unauthenticated"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allRoutes")
    void unknownAndRevokedTokensAreUnauthenticated(Route route) {
        for (String token : List.of("tfk_unknown-token", "tfd_unknown-token", world.revokedAdminA(),
                world.revokedDeviceA())) {
            Response response = route.call().apply(world).apply(api().auth().oauth2(token));
            assertThat(response.statusCode()).as("token %s", token).isEqualTo(401);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allRoutes")
    void eachRoleGetsExactlyItsRights(Route route) {
        Map<Role, String> tokens = Map.of(Role.OPERATOR, EmbeddedPostgresResource.OPERATOR_TOKEN,
                Role.ADMIN, world.adminA(), Role.CONSOLE, world.consoleA(), Role.DEVICE, world.deviceA());
        tokens.forEach((role, token) -> {
            int status = route.call().apply(world).apply(as(token)).statusCode();
            if (route.allowed().contains(role)) {
                assertThat(status).as("%s as %s", route, role).isBetween(200, 299);
            } else {
                assertThat(status).as("%s as %s", route, role).isEqualTo(403);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allRoutes")
    void anotherTenantsKeySeesNothing(Route route) {
        if (!route.tenantScoped()) {
            return;
        }
        Response response = route.call().apply(world).apply(as(world.adminB()));
        assertThat(response.statusCode()).isEqualTo(404);
        response.then().body("type", equalTo("urn:trustfleet:problem:not-found"));
    }

    private static String keyIdOf(World w, String token) {
        return keyIdOf(w.tenantA(), w.adminA(), token);
    }

    private static String keyIdOf(String tenant, String adminToken, String token) {
        String prefix = token.substring(0, 10);
        return as(adminToken).get("/api/v1/tenants/{t}/api-keys", tenant)
                .then().statusCode(200).extract().path("find { it.tokenPrefix == '" + prefix + "' }.id");
    }
}
