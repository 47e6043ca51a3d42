package org.trustfleet.alert;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.trustfleet.testing.Contract.as;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.testing.ProductionAddressGuard;

/**
 * With the production default ({@code trustfleet.scanner.allow-private-addresses=false}) a webhook cannot point at
 * the service's own network: the channel is refused with a 400 problem document, as a scan target would be.
 */
@QuarkusTest
@TestProfile(ProductionAddressGuard.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class AlertGuardApiTest {

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080/hook", "https://localhost/hook", "http://[::1]/x",
            "http://10.0.0.7/x", "http://169.254.169.254/latest/meta-data", "http://2130706433/x"})
    void privateWebhookTargetsAreRefused(String url) {
        String[] t = ApiFixtures.tenantWithAdmin("alert-guard");
        for (String kind : new String[] {"WEBHOOK", "SLACK", "TEAMS"}) {
            as(t[1]).contentType(ContentType.JSON).body(Map.of("name", "inside", "kind", kind, "url", url))
                    .post("/api/v1/tenants/{t}/alert-channels", t[0]).then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:trustfleet:problem:validation"))
                    .body("detail", containsString("refused"));
        }
        as(t[1]).get("/api/v1/tenants/{t}/alert-channels", t[0]).then().statusCode(200).body("size()", equalTo(0));
    }
}
