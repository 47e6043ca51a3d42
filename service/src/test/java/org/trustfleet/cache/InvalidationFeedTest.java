package org.trustfleet.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.trustfleet.testing.Contract.as;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.trustfleet.payload.SignedPayloadService;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.DeviceFixtures.Device;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * The one cross-replica invalidation feed: what this replica publishes is heard after commit (never after a
 * rollback), and what another replica wrote is heard at the next poll, including by the device delivery cache.
 */
@QuarkusTest
@TestProfile(InvalidationFeedTest.NoPayloadRecheck.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class InvalidationFeedTest {

    /**
     * Payloads are not re-checked against the database by time: only the feed can tell a replica of a change. The
     * tests poll the feed themselves: with a one-hour poll interval the scheduled poll neither races them nor lets
     * the feed go stale on a busy machine (a stale feed makes the replica bypass its caches, by design).
     */
    public static class NoPayloadRecheck implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("trustfleet.payload.cache-check-interval", "1h",
                    "trustfleet.cache.invalidation-poll-interval", "1h");
        }
    }

    @Inject
    InvalidationFeed feed;

    @Inject
    AgroalDataSource db;

    private static final class Recorder implements InvalidationFeed.Subscriber {
        final List<Set<String>> heard = new CopyOnWriteArrayList<>();

        @Override
        public void invalidate(Set<String> keys) {
            heard.add(keys);
        }

        @Override
        public void invalidateAll() {
            heard.add(Set.of("*"));
        }
    }

    @Test
    void aPublishedChangeIsHeardHereOnceItsTransactionCommits() {
        // not the first poll any more (that one drops everything): on a busy machine the scheduled first poll could
        // otherwise land between the publish and the assertion
        feed.poll();
        String name = "test-" + UUID.randomUUID();
        Recorder recorder = new Recorder();
        feed.subscribe(name, recorder);
        QuarkusTransaction.requiringNew().run(() -> {
            feed.publish(name, "k1");
            assertThat(recorder.heard).isEmpty();
        });
        assertThat(recorder.heard).containsExactly(Set.of("k1"));
    }

    /** Told at commit, a change is not told again by the polls that read its row (it would move counters twice). */
    @Test
    void aChangeThisReplicaToldAtCommitIsNotToldAgainByThePoll() {
        feed.poll(); // not the first poll any more (that one drops everything)
        String name = "test-" + UUID.randomUUID();
        Recorder recorder = new Recorder();
        feed.subscribe(name, recorder);
        QuarkusTransaction.requiringNew().run(() -> feed.publish(name, "k1"));
        feed.poll();
        feed.poll();
        assertThat(recorder.heard).containsExactly(Set.of("k1"));
    }

    /** Several keys published together: one row each, heard together at commit, and not again by the polls. */
    @Test
    void keysPublishedTogetherAreHeardTogetherOnceAndEachHasItsRow() throws Exception {
        feed.poll(); // not the first poll any more (that one drops everything)
        String name = "test-" + UUID.randomUUID();
        Recorder recorder = new Recorder();
        feed.subscribe(name, recorder);
        QuarkusTransaction.requiringNew().run(() -> {
            feed.publishAll(name, List.of("k1", "k2", "k3"));
            assertThat(recorder.heard).isEmpty();
        });
        feed.poll();
        feed.poll();
        assertThat(recorder.heard).containsExactly(Set.of("k1", "k2", "k3"));
        List<String> rows = new java.util.ArrayList<>();
        try (java.sql.Connection c = db.getConnection(); java.sql.PreparedStatement s = c.prepareStatement(
                "SELECT cache_key FROM cache_invalidation WHERE cache_name = ? ORDER BY cache_key")) {
            s.setString(1, name);
            try (java.sql.ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(r.getString(1));
                }
            }
        }
        assertThat(rows).containsExactly("k1", "k2", "k3");
    }

    @Test
    void aRolledBackChangeIsNeverHeard() {
        feed.poll(); // not the first poll any more (that one drops everything)
        String name = "test-" + UUID.randomUUID();
        Recorder recorder = new Recorder();
        feed.subscribe(name, recorder);
        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
            feed.publish(name, "k1");
            throw new IllegalStateException("the change fails after publishing");
        })).hasMessageContaining("the change fails");
        feed.poll();
        assertThat(recorder.heard).isEmpty();
    }

    @Test
    void anotherReplicasChangeIsHeardAtTheNextPoll() throws Exception {
        String name = "test-" + UUID.randomUUID();
        Recorder recorder = new Recorder();
        feed.subscribe(name, recorder);
        feed.poll();
        insertFeedRow(name, "k2");
        feed.poll();
        assertThat(recorder.heard).contains(Set.of("k2"));
        assertThat(feed.fresh()).isTrue();
    }

    @Test
    void aChangeIsToldOnceAlthoughEachPollRereadsTheLastMinute() throws Exception {
        String name = "test-" + UUID.randomUUID();
        Recorder recorder = new Recorder();
        feed.subscribe(name, recorder);
        feed.poll();
        insertFeedRow(name, "k3");
        feed.poll();
        feed.poll();
        feed.poll();
        assertThat(recorder.heard).containsExactly(Set.of("k3"));
        insertFeedRow(name, "k4");
        feed.poll();
        assertThat(recorder.heard).containsExactly(Set.of("k3"), Set.of("k4"));
    }

    @Test
    void anotherReplicasNewPayloadReachesCachedDeliveriesThroughTheFeed() throws Exception {
        feed.poll(); // the feed is fresh: cached deliveries are used
        String[] t = ApiFixtures.tenantWithAdmin("feed");
        Device device = DeviceFixtures.device(t[0], t[1]);
        String first = as(device.token()).get("/api/v1/device/payload").then().statusCode(200).extract()
                .header("ETag");
        as(device.token()).get("/api/v1/device/payload").then().statusCode(200);

        // another replica re-signed the group's payload: until the feed says so, this replica serves what it has
        String other = "a".repeat(64);
        setStoredEtag(device.groupId(), other);
        assertThat(as(device.token()).get("/api/v1/device/payload").then().statusCode(200).extract().header("ETag"))
                .isEqualTo(first);

        insertFeedRow(SignedPayloadService.GROUP_PAYLOADS, device.groupId());
        feed.poll(); // this replica's next poll (the scheduled one runs every trustfleet.cache.invalidation-poll-interval)
        assertThat(as(device.token()).get("/api/v1/device/payload").then().statusCode(200).extract().header("ETag"))
                .isEqualTo("\"" + other + "\"");
    }

    @Test
    void aPollAfterNoneSucceededForLongerThanTheRowsAreKeptDropsEverythingOnce() throws Exception {
        String name = "test-" + UUID.randomUUID();
        Recorder recorder = new Recorder();
        feed.subscribe(name, recorder);
        feed.poll();
        insertFeedRow(name, "k6");
        // the rows of the changes since may be deleted already (other replicas' polls delete what is past RETENTION)
        feed.lookBack(InvalidationFeed.RETENTION);
        feed.poll();
        assertThat(recorder.heard).containsExactly(Set.of("*"));
        feed.poll();
        insertFeedRow(name, "k7");
        feed.poll();
        assertThat(recorder.heard).containsExactly(Set.of("*"), Set.of("k7"));
    }

    @Test
    void aPollAfterAShorterGapTellsOnlyWhatChanged() throws Exception {
        String name = "test-" + UUID.randomUUID();
        Recorder recorder = new Recorder();
        feed.subscribe(name, recorder);
        feed.poll();
        insertFeedRow(name, "k8");
        // the next poll looks back RETENTION less a minute: every row since is still there
        feed.lookBack(InvalidationFeed.RETENTION.minus(InvalidationFeed.OVERLAP).minusMinutes(1));
        feed.poll();
        assertThat(recorder.heard).containsExactly(Set.of("k8"));
    }

    @Test
    void whileTheFeedIsNotFreshEveryPayloadFetchChecksTheDatabase() throws Exception {
        feed.poll();
        String[] t = ApiFixtures.tenantWithAdmin("feed-stale");
        Device device = DeviceFixtures.device(t[0], t[1]);
        String first = as(device.token()).get("/api/v1/device/payload").then().statusCode(200).extract()
                .header("ETag");
        String other = "b".repeat(64);
        setStoredEtag(device.groupId(), other);
        try {
            // a change no feed row tells of (made around the service): with the feed fresh, the check interval
            // (an hour here) bounds how long the replica's copy is served
            assertThat(as(device.token()).get("/api/v1/device/payload").then().statusCode(200).extract()
                    .header("ETag")).isEqualTo(first);
            // no poll succeeded for over two intervals: the replica does not know what changed, so it asks
            feed.lookBack(Duration.ofHours(3));
            assertThat(feed.fresh()).isFalse();
            assertThat(as(device.token()).get("/api/v1/device/payload").then().statusCode(200).extract()
                    .header("ETag")).isEqualTo("\"" + other + "\"");
        } finally {
            feed.poll();
        }
        assertThat(feed.fresh()).isTrue();
    }

    /** Changes the group's stored payload as another replica would, without a feed row. */
    private void setStoredEtag(String groupId, String etag) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE signed_payload SET etag = ? WHERE group_id = ?")) {
            s.setString(1, etag);
            s.setObject(2, UUID.fromString(groupId));
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }

    private void insertFeedRow(String name, String key) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO cache_invalidation (cache_name, cache_key) VALUES (?, ?)")) {
            s.setString(1, name);
            s.setString(2, key);
            s.executeUpdate();
        }
    }
}
