package org.trustfleet.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.invalidRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.DeviceFixtures.Device;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * Device tokens this replica has not cached are looked up a batch at a time ({@link DeviceAuthService#lookUp}): many
 * devices' first requests at once, mixed with tokens that are no device's, each get their own answer on both hot
 * paths (reports and the payload).
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class TokenLookupTest {
    private static final int DEVICES = 16;
    private static final int UNKNOWN = 4;
    private String tenant;
    private String admin;
    /** Enrolled into one group, their tokens in no cache yet. */
    private List<Device> fleet;

    @BeforeEach
    void fleet() {
        String[] t = ApiFixtures.tenantWithAdmin("token-lookups");
        tenant = t[0];
        admin = t[1];
        String group = DeviceFixtures.group(tenant, admin, "lookups", List.of());
        fleet = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            fleet.add(DeviceFixtures.device(tenant, admin, group));
        }
    }

    @Test
    void firstReportsOfManyDevicesAtOnceAreEachStoredOrRefused() throws Exception {
        List<Callable<Integer>> requests = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            Device d = fleet.get(i);
            long version = 100 + i;
            requests.add(() -> as(d.token()).contentType(ContentType.JSON).body(report(version))
                    .post("/api/v1/device/reports").then().extract().statusCode());
        }
        for (int i = 0; i < UNKNOWN; i++) {
            String token = unknownToken(i);
            requests.add(() -> invalidRequest().auth().oauth2(token).contentType(ContentType.JSON).body(report(1))
                    .post("/api/v1/device/reports").then().extract().statusCode());
        }
        List<Integer> statuses = all(requests);

        assertThat(statuses.subList(0, DEVICES)).containsOnly(202);
        assertThat(statuses.subList(DEVICES, DEVICES + UNKNOWN)).containsOnly(401);
        for (int i = 0; i < DEVICES; i++) {
            int reported = as(admin).get("/api/v1/tenants/{t}/devices/{d}", tenant, fleet.get(i).id()).then()
                    .statusCode(200).extract().path("compliance.reportedVersion");
            assertThat(reported).as("device %d", i).isEqualTo(100 + i);
        }
    }

    @Test
    void firstPayloadRequestsOfManyDevicesAtOnceAreEachServedOrRefused() throws Exception {
        // one device first: the group's payload is then cached, and the others' tokens are not
        String etag = as(fleet.get(0).token()).get("/api/v1/device/payload").then().statusCode(200).extract()
                .header("ETag");

        List<Callable<Response>> requests = new ArrayList<>();
        for (int i = 1; i < DEVICES; i++) {
            String token = fleet.get(i).token();
            requests.add(() -> as(token).get("/api/v1/device/payload").then().extract().response());
        }
        for (int i = 0; i < UNKNOWN; i++) {
            String token = unknownToken(i);
            requests.add(() -> invalidRequest().auth().oauth2(token).get("/api/v1/device/payload").then().extract()
                    .response());
        }
        List<Response> answers = all(requests);

        for (Response r : answers.subList(0, DEVICES - 1)) {
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.header("ETag")).isEqualTo(etag);
            assertThat(r.contentType()).isEqualTo("application/pkcs7-mime");
        }
        for (Response r : answers.subList(DEVICES - 1, answers.size())) {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.jsonPath().getString("type")).isEqualTo("urn:trustfleet:problem:unauthenticated");
        }
    }

    /** Sends every request at once and returns the answers in the requests' order. */
    private static <T> List<T> all(List<Callable<T>> requests) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(requests.size());
        try {
            List<Future<T>> answers = pool.invokeAll(requests);
            List<T> out = new ArrayList<>();
            for (Future<T> f : answers) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A token of a device's form that no device has. */
    private static String unknownToken(int i) {
        return "tfd_" + Integer.toString(i).repeat(43).substring(0, 43);
    }

    private static Map<String, Object> report(long version) {
        return Map.of("payloadVersion", version, "installed", List.of(), "apiLevel", 95);
    }
}
