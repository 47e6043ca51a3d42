package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.asOperator;
import static org.trustfleet.testing.Contract.invalidRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class TenantApiTest {

    @Test
    void operatorCreatesAndListsTenants() {
        String name = "Contoso " + UUID.randomUUID();
        var created = asOperator().contentType(ContentType.JSON).body(Map.of("name", name))
                .post("/api/v1/tenants")
                .then().statusCode(201)
                .body("name", equalTo(name))
                .body("createdAt", notNullValue())
                .extract();
        String id = created.path("id");
        assertThat(created.header("Location")).endsWith("/api/v1/tenants/" + id);
        // oldest first: the new tenant is on the last page, which a client reaches by following Link rel="next"
        List<String> listed = new ArrayList<>();
        String next = "/api/v1/tenants";
        while (next != null) {
            var page = asOperator().get(next).then().statusCode(200).extract();
            listed.addAll(page.jsonPath().getList("id", String.class));
            String link = page.header("Link");
            next = link == null ? null : link.substring(1, link.indexOf('>'));
        }
        assertThat(listed).contains(id);
    }

    @Test
    void tenantNamesAreUniqueIgnoringCase() {
        String name = "Fabrikam " + UUID.randomUUID();
        asOperator().contentType(ContentType.JSON).body(Map.of("name", name)).post("/api/v1/tenants")
                .then().statusCode(201);
        asOperator().contentType(ContentType.JSON).body(Map.of("name", name.toUpperCase(java.util.Locale.ROOT)))
                .post("/api/v1/tenants")
                .then().statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("urn:trustfleet:problem:conflict"));
    }

    @Test
    void issuedKeyShowsTokenOnceAndListingsNeverShowIt() {
        String tenant = ApiFixtures.createTenant("keys");
        var created = asOperator().contentType(ContentType.JSON)
                .body(Map.of("name", "intune sync", "role", "console"))
                .post("/api/v1/tenants/{t}/api-keys", tenant)
                .then().statusCode(201).body("role", equalTo("console")).extract();
        String token = created.path("token");
        assertThat(token).startsWith("tfk_").hasSizeGreaterThan(40);
        assertThat((String) created.path("tokenPrefix")).isEqualTo(token.substring(0, 10));

        String admin = ApiFixtures.issueKey(tenant, "admin");
        String listing = as(admin).get("/api/v1/tenants/{t}/api-keys", tenant)
                .then().statusCode(200)
                .body("name", hasItem("intune sync"))
                .body("find { it.name == 'intune sync' }.revokedAt", nullValue())
                .extract().asString();
        assertThat(listing).doesNotContain(token).doesNotContain(admin);
    }

    @Test
    void revocationTakesEffectOnTheNextRequest() {
        String tenant = ApiFixtures.createTenant("revoke");
        String admin = ApiFixtures.issueKey(tenant, "admin");
        var issued = as(admin).contentType(ContentType.JSON).body(Map.of("name", "temp", "role", "admin"))
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(201).extract();
        String token = issued.path("token");
        String keyId = issued.path("id");
        as(token).get("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(200);

        as(admin).delete("/api/v1/tenants/{t}/api-keys/{k}", tenant, keyId).then().statusCode(204);

        as(token).get("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("type", equalTo("urn:trustfleet:problem:unauthenticated"));
        as(admin).get("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(200)
                .body("find { it.id == '" + keyId + "' }.revokedAt", notNullValue());
    }

    @Test
    void anotherTenantsKeyIdIsNotFoundThroughOwnTenantPath() {
        String[] a = ApiFixtures.tenantWithAdmin("a");
        String[] b = ApiFixtures.tenantWithAdmin("b");
        String bKey = as(b[1]).get("/api/v1/tenants/{t}/api-keys", b[0]).then().extract().path("[0].id");
        as(a[1]).delete("/api/v1/tenants/{t}/api-keys/{k}", a[0], bKey).then().statusCode(404)
                .body("type", equalTo("urn:trustfleet:problem:not-found"));
        // B's key still works
        as(b[1]).get("/api/v1/tenants/{t}/api-keys", b[0]).then().statusCode(200);
    }

    @Test
    void tenantKeysCannotBeOperatorKeys() {
        String[] a = ApiFixtures.tenantWithAdmin("op");
        invalidRequest().auth().oauth2(a[1]).contentType(ContentType.JSON)
                .body(Map.of("name", "sneaky", "role", "operator"))
                .post("/api/v1/tenants/{t}/api-keys", a[0])
                .then().statusCode(400)
                .body("type", equalTo("urn:trustfleet:problem:validation"))
                .body("detail", equalTo("'role' must be one of: admin, console"));
    }

    @Test
    void operatorNamingATenantThatDoesNotExistGetsNotFound() {
        // operators may name any tenant, so for them (unlike a tenant's own key) the tenant itself is looked up
        asOperator().get("/api/v1/tenants/{t}/api-keys", UUID.randomUUID()).then().statusCode(404)
                .body("type", equalTo("urn:trustfleet:problem:not-found"))
                .body("detail", equalTo("tenant not found"));
        String[] a = ApiFixtures.tenantWithAdmin("exists");
        asOperator().get("/api/v1/tenants/{t}/api-keys", a[0]).then().statusCode(200);
    }
}
