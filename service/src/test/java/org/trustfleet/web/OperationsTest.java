package org.trustfleet.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * Health, metrics and the served contract. These are not API routes, so they are not in openapi.yaml and are
 * called without the contract filter.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class OperationsTest {

    @Test
    void livenessAndReadinessReportUpWithTheDatabase() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("Database")));
    }

    @Test
    void prometheusMetricsAreExposed() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
    }

    @Test
    void theDevicePayloadRouteBelowJaxRsIsStillCountedInTheHttpMetrics() {
        given().post("/api/v1/device/payload").then().statusCode(405);
        given().get("/q/metrics").then().statusCode(200).body(containsString(
                "http_server_requests_seconds_count{method=\"POST\",outcome=\"CLIENT_ERROR\",status=\"405\","
                        + "uri=\"/api/v1/device/payload\"}"));
    }

    @Test
    void servedContractIsTheRepositoryOpenapiYaml() throws Exception {
        String served = given().accept("application/yaml").get("/q/openapi").then().statusCode(200).extract()
                .asString();
        String repository = Files.readString(Path.of("..", "openapi.yaml"));
        for (String path : new String[] {"/api/v1/tenants:", "/api/v1/tenants/{tenantId}/api-keys:"}) {
            assertThat(repository).contains(path);
            assertThat(served).contains(path.replace(":", ""));
        }
        assertThat(served).contains("urn:trustfleet:problem:validation");
    }
}
