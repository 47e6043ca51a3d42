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
import org.trustfleet.tenant.Role;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * The access matrix of every protected route: no token, an unknown token, a revoked key, each role, and a key of
 * another tenant. Add a row here for every new route.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class AccessMatrixTest {

    /** The fixture a route runs in: tenant A with its keys, and tenant B's admin. */
    record World(String tenantA, String adminA, String consoleA, String revokedAdminA, String adminB) {}

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
                                keyIdOf(w, ApiFixtures.issueKey(w.tenantA(), "console")))));
    }

    private World world;

    @BeforeEach
    void world() {
        String tenantA = ApiFixtures.createTenant("matrix-a");
        String adminA = ApiFixtures.issueKey(tenantA, "admin");
        String consoleA = ApiFixtures.issueKey(tenantA, "console");
        String revoked = ApiFixtures.issueKey(tenantA, "admin");
        as(adminA).delete("/api/v1/tenants/{t}/api-keys/{k}", tenantA, keyIdOf(tenantA, adminA, revoked))
                .then().statusCode(204);
        String tenantB = ApiFixtures.createTenant("matrix-b");
        world = new World(tenantA, adminA, consoleA, revoked, ApiFixtures.issueKey(tenantB, "admin"));
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
        for (String token : List.of("tfk_unknown-token", world.revokedAdminA())) {
            Response response = route.call().apply(world).apply(api().auth().oauth2(token));
            assertThat(response.statusCode()).as("token %s", token).isEqualTo(401);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allRoutes")
    void eachRoleGetsExactlyItsRights(Route route) {
        Map<Role, String> tokens = Map.of(Role.OPERATOR, EmbeddedPostgresResource.OPERATOR_TOKEN,
                Role.ADMIN, world.adminA(), Role.CONSOLE, world.consoleA());
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
