package org.trustfleet.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.cache.InvalidationFeed;
import org.trustfleet.pki.Sha256;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.DeviceFixtures.Device;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.testing.Rows;

/**
 * The backstop re-check of a replica's payloads against the database ({@code trustfleet.payload.cache-check-interval}):
 * what another replica changed without this one hearing it through the feed (here the feed is never polled) reaches
 * the devices at the next re-check, and a payload that is still current is served as stored, not signed again.
 */
@QuarkusTest
@TestProfile(PayloadRecheckTest.EveryFetchRechecks.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class PayloadRecheckTest {

    /** Every fetch re-checks its payload; the feed's scheduled poll never runs during a test. */
    public static class EveryFetchRechecks implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("trustfleet.payload.cache-check-interval", "0s",
                    "trustfleet.cache.invalidation-poll-interval", "1h");
        }
    }

    @Inject
    AgroalDataSource db;

    @Inject
    InvalidationFeed feed;

    private Device device;

    @BeforeEach
    void setUp() {
        String[] t = ApiFixtures.tenantWithAdmin("recheck");
        device = DeviceFixtures.device(t[0], t[1]);
    }

    @Test
    void aCurrentPayloadIsServedAsStoredAtEveryRecheck() throws Exception {
        Response first = fetch();
        Instant signedAt = storedIssuedAt();
        for (int i = 0; i < 3; i++) {
            Response again = fetch();
            assertThat(again.header("ETag")).isEqualTo(first.header("ETag"));
            assertThat(again.asByteArray()).isEqualTo(first.asByteArray());
        }
        assertThat(storedIssuedAt()).isEqualTo(signedAt);
    }

    @Test
    void aReplicaHoldingNoCopyServesTheStoredPayloadAsItIs() throws Exception {
        Response first = fetch();
        Instant signedAt = storedIssuedAt();
        // this replica drops its copy (as after a restart, or for a group its cache has no room for)
        feed.publish(SignedPayloadService.GROUP_PAYLOADS, device.groupId());

        Response again = fetch();
        assertThat(again.header("ETag")).isEqualTo(first.header("ETag"));
        assertThat(again.asByteArray()).isEqualTo(first.asByteArray());
        assertThat(storedIssuedAt()).isEqualTo(signedAt);
    }

    @Test
    void aPayloadAnotherReplicaStoredIsServedAtTheNextRecheck() throws Exception {
        String first = fetch().header("ETag");
        String other = "b".repeat(64);
        update("UPDATE signed_payload SET etag = ? WHERE group_id = ?", other, group());

        assertThat(fetch().header("ETag")).isNotEqualTo(first).isEqualTo("\"" + other + "\"");
    }

    @Test
    void aNewRequirementsVersionWrittenElsewhereIsSignedAtTheNextRecheck() throws Exception {
        Response first = fetch();
        long version = document(first).document().version();
        update("UPDATE group_requirements SET version = version + 1 WHERE group_id = ?", group());

        Response next = fetch();
        assertThat(next.header("ETag")).isNotEqualTo(first.header("ETag"));
        assertThat(document(next).document().version()).isEqualTo(version + 1);
        assertThat(document(next).signer()).isEqualTo(document(first).signer());
    }

    @Test
    void aPayloadOfALaterVersionStoredMeanwhileIsServedAndKept() throws Exception {
        Response first = fetch();
        // as when another replica's recompute committed a later version and stored its payload after this replica
        // read the version it signs: the stored row is not the current version's, so this replica signs one, and the
        // insert keeps the later stored row, which is then what the device gets
        String later = "c".repeat(64);
        update("UPDATE signed_payload SET version = version + 5, etag = ? WHERE group_id = ?", later, group());

        Response next = fetch();
        assertThat(next.header("ETag")).isEqualTo("\"" + later + "\"");
        assertThat(next.asByteArray()).isEqualTo(first.asByteArray());
        assertThat(storedVersion()).isEqualTo(document(first).document().version() + 5);
    }

    @Test
    void aSignerRetiredElsewhereIsReplacedAtTheNextRecheck() throws Exception {
        Response first = fetch();
        update("UPDATE payload_signer SET retired_at = now() WHERE tenant_id = ? AND retired_at IS NULL",
                UUID.fromString(device.tenantId()));

        Response next = fetch();
        assertThat(document(next).signer()).isNotEqualTo(document(first).signer());
        assertThat(document(next).document().version()).isEqualTo(document(first).document().version());
        // and the new signer's payload is the stored one from now on
        assertThat(fetch().header("ETag")).isEqualTo(next.header("ETag"));
    }

    @Test
    void aStoredPayloadPastHalfItsValidityIsSignedAgainAlthoughTheReplicasCopyIsNot() throws Exception {
        Response first = fetch();
        // the stored row was issued four days earlier (of seven); the copy in this replica's memory still says now
        update("UPDATE signed_payload SET issued_at = issued_at - interval '4 days', "
                + "expires_at = expires_at - interval '4 days' WHERE group_id = ?", group());

        Response next = fetch();
        assertThat(next.header("ETag")).isNotEqualTo(first.header("ETag"));
        PayloadDocument doc = document(next).document();
        assertThat(doc.version()).isEqualTo(document(first).document().version());
        assertThat(Duration.between(doc.issuedAt(), Instant.now()).abs()).isLessThan(Duration.ofMinutes(5));
        assertThat(Duration.between(storedIssuedAt(), Instant.now()).abs()).isLessThan(Duration.ofMinutes(5));
    }

    private Response fetch() {
        Response r = as(device.token()).get("/api/v1/device/payload");
        r.then().statusCode(200);
        assertThat(r.header("ETag")).isNotNull();
        return r;
    }

    private VerifiedPayload document(Response r) throws Exception {
        byte[] cms = r.asByteArray();
        assertThat(r.header("ETag")).isEqualTo("\"" + Sha256.hex(cms) + "\"");
        return new CmsPayloadVerifier().verify(cms, device.root(), UUID.fromString(device.tenantId()));
    }

    private UUID group() {
        return UUID.fromString(device.groupId());
    }

    private Instant storedIssuedAt() throws Exception {
        return stored("issued_at", OffsetDateTime.class).toInstant();
    }

    private long storedVersion() throws Exception {
        return stored("version", Long.class);
    }

    /** A column of the group's stored payload row. */
    private <T> T stored(String column, Class<T> type) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT " + column + " FROM signed_payload WHERE group_id = ?")) {
            s.setObject(1, group());
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).isTrue();
                return r.getObject(1, type);
            }
        }
    }

    private void update(String sql, Object... parameters) throws Exception {
        assertThat(Rows.update(db, sql, parameters)).isEqualTo(1);
    }
}
