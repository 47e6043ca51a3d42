package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.invalidRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.DeviceFixtures.Device;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * Reports answered below JAX-RS ({@link DeviceReportRoute}) are stored as the endpoint stores them, and every request
 * the route does not take as it comes still gets the endpoint's own answer.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class DeviceReportRouteTest {
    private static final String REPORTS = "/api/v1/device/reports";
    private String tenant;
    private String admin;

    @BeforeEach
    void tenant() {
        String[] t = ApiFixtures.tenantWithAdmin("report-route");
        tenant = t[0];
        admin = t[1];
    }

    @ParameterizedTest(name = "{0} | Accept {1} | {2} bytes | Expect {3}: read by the route {4}")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
        "application/json                  | none             | 60     | none         | true",
        "application/json; charset=UTF-8   | */*              | 60     | none         | true",
        "Application/JSON                  | application/json | 60     | none         | true",
        "application/json                  | none             | 65536  | none         | true",
        "application/json                  | none             | 65537  | none         | false",
        "application/json                  | none             | 0      | none         | false",
        "application/json                  | none             | none   | none         | false",
        "application/json                  | none             | 60     | 100-continue | false",
        "application/json; charset=UTF-16  | none             | 60     | none         | false",
        "text/plain                        | none             | 60     | none         | false",
        "none                              | none             | 60     | none         | false",
        "application/json                  | text/html        | 60     | none         | false",
        "application/json                  | application/*    | 60     | none         | false",
        "application/json                  | none             | sixty  | none         | false"})
    void whichRequestsTheRouteReads(String contentType, String accept, String length, String expect, boolean read) {
        assertThat(DeviceReportRoute.usual(contentType, accept, length, expect, DeviceReportRoute.MAX_BODY_BYTES))
                .isEqualTo(read);
    }

    @Test
    void theAPILimitOnBodiesBoundsWhatTheRouteReads() {
        assertThat(DeviceReportRoute.usual("application/json", null, "2000", null, 1000)).isFalse();
        assertThat(DeviceReportRoute.usual("application/json", null, "1000", null, 1000)).isTrue();
    }

    @Test
    void reportsAreStoredWhetherTheTokenIsCachedOrNot() {
        Device device = DeviceFixtures.device(tenant, admin);
        // the first report finds the token in no cache (looked up off the event loop), the second in this replica's
        for (long version : new long[] {7, 8}) {
            as(device.token()).contentType(ContentType.JSON).body(report(version)).post(REPORTS).then()
                    .statusCode(202);
            as(admin).get("/api/v1/tenants/{t}/devices/{d}", tenant, device.id()).then().statusCode(200)
                    .body("compliance.reportedVersion", equalTo((int) version));
        }
        // counted in the HTTP metrics under the endpoint's path, as when JAX-RS answered
        io.restassured.RestAssured.given().get("/q/metrics").then().statusCode(200).body(containsString(
                "http_server_requests_seconds_count{method=\"POST\",outcome=\"SUCCESS\",status=\"202\","
                        + "uri=\"/api/v1/device/reports\"}"));
    }

    @Test
    void whatTheRouteDoesNotTakeGetsTheEndpointsAnswer() {
        Device device = DeviceFixtures.device(tenant, admin);
        String body = "{\"payloadVersion\":3,\"installed\":[],\"apiLevel\":95}";
        // refusals: each is JAX-RS's problem document
        invalidRequest().auth().oauth2(device.token()).contentType(ContentType.JSON)
                .body("{\"payloadVersion\":3,\"installed\":[],\"apiLevel\":95,\"extra\":1}").post(REPORTS).then()
                .statusCode(400).body("type", startsWith("urn:trustfleet:problem:"));
        invalidRequest().auth().oauth2(device.token()).contentType(ContentType.JSON)
                .body("{\"payloadVersion\":3,\"installed\":[\"abc\"],\"apiLevel\":95}").post(REPORTS).then()
                .statusCode(400);
        invalidRequest().auth().oauth2(device.token()).contentType(ContentType.JSON).body("null").post(REPORTS)
                .then().statusCode(400);
        invalidRequest().auth().oauth2("tfd_" + "x".repeat(43)).contentType(ContentType.JSON).body(body)
                .post(REPORTS).then().statusCode(401).body("type", equalTo("urn:trustfleet:problem:unauthenticated"));
        invalidRequest().auth().oauth2(admin).contentType(ContentType.JSON).body(body).post(REPORTS).then()
                .statusCode(403).body("type", equalTo("urn:trustfleet:problem:forbidden"));
        invalidRequest().auth().oauth2(device.token()).contentType(ContentType.TEXT).body(body).post(REPORTS)
                .then().statusCode(415);
        as(admin).get("/api/v1/tenants/{t}/devices/{d}", tenant, device.id()).then().statusCode(200)
                .body("compliance.reportedVersion", equalTo(null));
        // accepted the long way: a query string, then a body in chunks of unknown length
        as(device.token()).contentType(ContentType.JSON).queryParam("via", "jaxrs").body(body).post(REPORTS).then()
                .statusCode(202);
        // (the contract check cannot read a streamed body: only the answer is held to it)
        invalidRequest().auth().oauth2(device.token()).contentType(ContentType.JSON)
                .body(new java.io.ByteArrayInputStream("{\"payloadVersion\":4,\"installed\":[],\"apiLevel\":95}"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8))).post(REPORTS).then().statusCode(202);
        as(admin).get("/api/v1/tenants/{t}/devices/{d}", tenant, device.id()).then().statusCode(200)
                .body("compliance.reportedVersion", equalTo(4));
    }

    @Test
    void aRevokedDeviceIsRefusedEvenWithItsTokenCached() {
        Device device = DeviceFixtures.device(tenant, admin);
        as(device.token()).contentType(ContentType.JSON).body(report(1)).post(REPORTS).then().statusCode(202);
        as(admin).delete("/api/v1/tenants/{t}/devices/{d}", tenant, device.id()).then().statusCode(204);
        invalidRequest().auth().oauth2(device.token()).contentType(ContentType.JSON).body(report(2)).post(REPORTS)
                .then().statusCode(401).body("type", equalTo("urn:trustfleet:problem:unauthenticated"));
    }

    private static Map<String, Object> report(long version) {
        return Map.of("payloadVersion", version, "installed", List.of(), "apiLevel", 95);
    }
}
