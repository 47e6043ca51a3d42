package org.trustfleet.testing;

import static org.trustfleet.testing.Contract.asOperator;

import io.restassured.http.ContentType;
import java.util.Map;
import java.util.UUID;

/** Creating tenants and keys through the API, as a real operator would, for tests that need them as setup. */
public final class ApiFixtures {
    private ApiFixtures() {}

    public static String createTenant(String prefix) {
        return asOperator().contentType(ContentType.JSON)
                .body(Map.of("name", prefix + "-" + UUID.randomUUID()))
                .post("/api/v1/tenants").then().statusCode(201).extract().path("id");
    }

    /** Issues a key of {@code role} (admin or console) for the tenant and returns its token. */
    public static String issueKey(String tenantId, String role) {
        return asOperator().contentType(ContentType.JSON)
                .body(Map.of("name", role + " key", "role", role))
                .post("/api/v1/tenants/{t}/api-keys", tenantId).then().statusCode(201).extract().path("token");
    }

    /** A tenant with an admin key: returns {tenantId, adminToken}. */
    public static String[] tenantWithAdmin(String prefix) {
        String tenant = createTenant(prefix);
        return new String[] {tenant, issueKey(tenant, "admin")};
    }
}
