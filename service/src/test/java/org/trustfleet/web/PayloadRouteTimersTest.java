package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.DeviceFixtures.Device;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * The payload route's requests are counted in {@code http_server_requests_seconds} under the route's path, each once
 * (the route times itself; Quarkus's binder leaves the path out), by method, status and outcome, 304s and refusals
 * included.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class PayloadRouteTimersTest {
    private static final Pattern COUNT = Pattern.compile(
            "^http_server_requests_seconds_count\\{method=\"(\\w+)\",outcome=\"(\\w+)\",status=\"(\\d+)\","
                    + "uri=\"/api/v1/device/payload\"} ([0-9.E]+)$", Pattern.MULTILINE);

    @Test
    void everyRequestOfTheRouteIsCountedOnceByMethodStatusAndOutcome() {
        String[] t = ApiFixtures.tenantWithAdmin("payload-timers");
        Device device = DeviceFixtures.device(t[0], t[1]);
        Map<String, Double> before = counts();

        String etag = as(device.token()).get(DevicePayloadRoute.PATH).then().statusCode(200).extract()
                .header("ETag");
        as(device.token()).get(DevicePayloadRoute.PATH).then().statusCode(200); // from the delivery cache
        as(device.token()).header("If-None-Match", etag).get(DevicePayloadRoute.PATH).then().statusCode(304);
        as(device.token()).head(DevicePayloadRoute.PATH).then().statusCode(200);
        RestAssured.given().auth().oauth2("tfd_" + "A".repeat(43)).get(DevicePayloadRoute.PATH).then()
                .statusCode(401);
        RestAssured.given().auth().oauth2(device.token()).post(DevicePayloadRoute.PATH).then().statusCode(405);

        Map<String, Double> after = counts();
        Map<String, Double> counted = new HashMap<>();
        after.forEach((k, v) -> {
            double d = v - before.getOrDefault(k, 0.0);
            if (d != 0) {
                counted.put(k, d);
            }
        });
        assertThat(counted).isEqualTo(Map.of(
                "GET SUCCESS 200", 2.0,
                "GET REDIRECTION 304", 1.0,
                "HEAD SUCCESS 200", 1.0,
                "GET CLIENT_ERROR 401", 1.0,
                "POST CLIENT_ERROR 405", 1.0));
    }

    /** The route's request counts now, by "method outcome status". */
    private static Map<String, Double> counts() {
        String metrics = RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
        Map<String, Double> counts = new HashMap<>();
        Matcher m = COUNT.matcher(metrics);
        while (m.find()) {
            counts.put(m.group(1) + " " + m.group(2) + " " + m.group(3), Double.parseDouble(m.group(4)));
        }
        return counts;
    }
}
