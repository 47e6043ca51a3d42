package org.trustfleet.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.Sha256;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.DeviceFixtures.Device;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.testing.Rows;

/**
 * A replica that keeps no payload bytes in memory ({@code trustfleet.cache.payload-bytes-max-size=0}): every 200
 * reads them from {@code signed_payload}, and serves exactly the stored bytes under their ETag, also where another
 * replica replaced the stored payload after this one read what identifies it.
 */
@QuarkusTest
@TestProfile(PayloadBytesFromDatabaseTest.NoBytesKept.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class PayloadBytesFromDatabaseTest {

    /** No payload bytes kept; the feed's scheduled poll never runs during a test. */
    public static class NoBytesKept implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("trustfleet.cache.payload-bytes-max-size", "0",
                    "trustfleet.cache.invalidation-poll-interval", "1h");
        }
    }

    @Inject
    AgroalDataSource db;

    private Device device;

    @BeforeEach
    void setUp() {
        String[] t = ApiFixtures.tenantWithAdmin("bytes-from-db");
        device = DeviceFixtures.device(t[0], t[1]);
    }

    @Test
    void everyTwoHundredServesTheStoredBytesAndA304NeedsNone() throws Exception {
        Response first = fetch();
        byte[] stored = storedCms();
        assertThat(first.asByteArray()).isEqualTo(stored);
        assertThat(first.header("ETag")).isEqualTo("\"" + Sha256.hex(stored) + "\"");
        new CmsPayloadVerifier().verify(first.asByteArray(), device.root(), UUID.fromString(device.tenantId()));

        double readBefore = bytesRead();
        for (int i = 0; i < 3; i++) {
            Response again = fetch();
            assertThat(again.asByteArray()).isEqualTo(stored);
            assertThat(again.header("ETag")).isEqualTo(first.header("ETag"));
        }
        assertThat(bytesRead()).as("each 200 read its bytes from the database").isEqualTo(readBefore + 3);
        as(device.token()).header("If-None-Match", first.header("ETag")).get("/api/v1/device/payload")
                .then().statusCode(304).header("ETag", first.header("ETag"));
        as(device.token()).head("/api/v1/device/payload").then().statusCode(200)
                .header("Content-Length", Integer.toString(stored.length)).header("ETag", first.header("ETag"));
        assertThat(bytesRead()).as("a 304 and a HEAD read none").isEqualTo(readBefore + 3);
    }

    @Test
    void aPayloadReplacedInTheDatabaseAfterThisReplicaReadItIsServedAsStoredNow() throws Exception {
        Response first = fetch();
        // as when another replica stored a payload this one has not heard of (its copy still names the first one)
        byte[] other = Arrays.copyOf(first.asByteArray(), first.asByteArray().length + 1);
        String otherTag = Sha256.hex(other);
        update("UPDATE signed_payload SET cms = ?, etag = ? WHERE group_id = ?", other, otherTag,
                UUID.fromString(device.groupId()));

        for (int i = 0; i < 2; i++) {
            Response next = fetch();
            assertThat(next.header("ETag")).isEqualTo("\"" + otherTag + "\"");
            assertThat(next.asByteArray()).isEqualTo(other);
        }
        Response withOldTag = as(device.token()).header("If-None-Match", first.header("ETag"))
                .get("/api/v1/device/payload");
        withOldTag.then().statusCode(200).header("ETag", "\"" + otherTag + "\"");
        assertThat(withOldTag.asByteArray()).isEqualTo(other);
    }

    @Test
    void manyFetchesAtOnceAllGetTheSameBytes() throws Exception {
        byte[] expected = fetch().asByteArray();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Response>> fetches = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                fetches.add(pool.submit(this::fetch));
            }
            for (Future<Response> f : fetches) {
                assertThat(f.get().asByteArray()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code trustfleet_payload_bytes_read_total} now: payloads whose bytes a 200 read from the database. */
    private static double bytesRead() {
        String metrics = RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("trustfleet_payload_bytes_read_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }

    private Response fetch() {
        Response r = as(device.token()).get("/api/v1/device/payload");
        r.then().statusCode(200);
        return r;
    }

    private byte[] storedCms() throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT cms FROM signed_payload WHERE group_id = ?")) {
            s.setObject(1, UUID.fromString(device.groupId()));
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).isTrue();
                return r.getBytes(1);
            }
        }
    }

    private void update(String sql, Object... parameters) throws Exception {
        assertThat(Rows.update(db, sql, parameters)).isEqualTo(1);
    }
}
