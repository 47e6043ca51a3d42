package org.trustfleet.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.invalidRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.DeviceFixtures.Device;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * A replica whose token cache is full ({@code auth-cache-max-entries} far below its fleet: the cache admits no new
 * token) still serves every device: payloads from the group's delivery, reports, refusals of revoked tokens, and the
 * devices' last-seen times move.
 */
@QuarkusTest
@TestProfile(FullTokenCacheTest.TinyTokenCache.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class FullTokenCacheTest {
    /** Room for two tokens only. */
    public static class TinyTokenCache implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("trustfleet.device.auth-cache-max-entries", "2");
        }
    }

    @Inject
    DeviceAuthService auth;

    @Test
    void everyDeviceIsServedWhenTheTokenCacheAdmitsNoMore() {
        String[] t = ApiFixtures.tenantWithAdmin("full-token-cache");
        String tenant = t[0];
        String admin = t[1];
        List<Device> fleet = DeviceFixtures.fleet(tenant, admin, "full-cache", 6);
        // after every enrollment (each set its device's last-seen time); stored times have microseconds
        Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);

        String etag = null;
        for (int round = 0; round < 2; round++) {
            for (Device d : fleet) {
                String e = as(d.token()).get("/api/v1/device/payload").then().statusCode(200)
                        .contentType("application/pkcs7-mime").extract().header("ETag");
                assertThat(etag == null || etag.equals(e)).as("one payload for the group").isTrue();
                etag = e;
                as(d.token()).contentType(ContentType.JSON)
                        .body(Map.of("payloadVersion", 1, "installed", List.of(), "apiLevel", 95))
                        .post("/api/v1/device/reports").then().statusCode(202);
            }
        }
        List<Device> uncached = fleet.stream().filter(d -> auth.cachedIdentity(d.token()).isEmpty()).toList();
        assertThat(uncached).as("devices served without their token cached").hasSizeGreaterThanOrEqualTo(4);

        // a device not held is noted as seen at each request (the cached ones at most once per granularity, and
        // they were enrolled within it)
        for (Device d : uncached) {
            String seen = as(admin).get("/api/v1/tenants/{t}/devices/{d}", tenant, d.id()).then().statusCode(200)
                    .extract().path("lastSeenAt");
            assertThat(Instant.parse(seen)).as("device %s last seen", d.id()).isAfter(before);
        }
        Device revoked = fleet.get(5);
        as(admin).delete("/api/v1/tenants/{t}/devices/{d}", tenant, revoked.id()).then().statusCode(204);
        invalidRequest().auth().oauth2(revoked.token()).get("/api/v1/device/payload").then().statusCode(401);
        as(fleet.get(4).token()).get("/api/v1/device/payload").then().statusCode(200);
    }
}
