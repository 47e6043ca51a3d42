package org.trustfleet.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * The last-seen buffer: sightings noted on many threads at once are all written, more than one UPDATE's batch of
 * them, each device's latest to the microsecond, a time never moves back, and sightings the database refused are
 * written by a later flush.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class LastSeenRecorderTest {
    /** More than two of the recorder's batches. */
    private static final int DEVICES = 12_345;
    private static final Instant ENROLLED = Instant.parse("2026-01-01T00:00:00Z");

    @Inject
    AgroalDataSource db;
    @Inject
    LastSeenRecorder recorder;

    private String tenant;
    private List<UUID> ids;

    @BeforeEach
    void setUp() throws SQLException {
        tenant = ApiFixtures.tenantWithAdmin("last-seen")[0];
        ids = new ArrayList<>();
        try (Connection c = db.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO device (id, tenant_id, hardware_id, token_hash, api_level, enrolled_at)
                    SELECT gen_random_uuid(), ?::uuid, 'seen-' || i, sha256((?::text || i)::bytea), 30, ?
                    FROM generate_series(1, ?) i""")) {
                s.setString(1, tenant);
                s.setString(2, tenant);
                s.setObject(3, ENROLLED.atOffset(ZoneOffset.UTC));
                s.setInt(4, DEVICES);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("SELECT id FROM device WHERE tenant_id = ?::uuid")) {
                s.setString(1, tenant);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        ids.add(r.getObject(1, UUID.class));
                    }
                }
            }
        }
        assertThat(ids).hasSize(DEVICES);
    }

    @Test
    void everySightingNotedOnManyThreadsIsWrittenAsTheDevicesLatestToTheMicrosecond() throws Exception {
        int threads = 8;
        Instant base = Instant.parse("2026-06-01T12:00:00Z");
        Map<UUID, Instant> latest = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            // thread t notes device i at base + i ms + t µs + 999 ns: the last thread's time wins, to the µs
            latest.put(ids.get(i), base.plusMillis(i).plusNanos((threads - 1) * 1000L));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    List<Integer> order = new ArrayList<>();
                    for (int i = 0; i < ids.size(); i++) {
                        order.add(i);
                    }
                    Collections.shuffle(order, new Random(thread));
                    for (int i : order) {
                        recorder.note(ids.get(i), base.plusMillis(i).plusNanos(thread * 1000L + 999));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        recorder.flush();
        assertThat(lastSeen()).isEqualTo(latest);

        // an older sighting noted later does not move a time back
        recorder.note(ids.get(0), base.minusSeconds(60));
        recorder.note(ids.get(1), base.plusSeconds(3600));
        recorder.flush();
        latest.put(ids.get(1), base.plusSeconds(3600));
        assertThat(lastSeen()).isEqualTo(latest);
    }

    @Test
    void sightingsTheDatabaseRefusedAreWrittenByALaterFlush() throws Exception {
        Instant seen = Instant.parse("2026-06-02T08:00:00.123456Z");
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE FUNCTION test_refuse_seen() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'refused for the test'; END $$""");
            s.execute("CREATE TRIGGER test_refuse_seen BEFORE UPDATE ON device_seen FOR EACH ROW"
                    + " WHEN (NEW.tenant_id = '" + UUID.fromString(tenant) + "') EXECUTE FUNCTION test_refuse_seen()");
        }
        try {
            for (UUID id : ids) {
                recorder.note(id, seen.minusSeconds(1));
                recorder.note(id, seen);
            }
            try {
                recorder.flush();
            } catch (IllegalStateException expected) {
                // refused; the scheduled flush may have met the refusal first, with the same outcome
            }
            assertThat(lastSeen().values()).containsOnly(ENROLLED);
        } finally {
            try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP TRIGGER test_refuse_seen ON device_seen");
                s.execute("DROP FUNCTION test_refuse_seen()");
            }
        }
        recorder.flush();
        assertThat(lastSeen().values()).hasSize(DEVICES).containsOnly(seen);
    }

    private Map<UUID, Instant> lastSeen() throws SQLException {
        Map<UUID, Instant> seen = new HashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT device_id, last_seen_at FROM device_seen WHERE tenant_id = ?::uuid")) {
            s.setString(1, tenant);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    seen.put(r.getObject(1, UUID.class),
                            r.getObject(2, OffsetDateTime.class).toInstant());
                }
            }
        }
        return seen;
    }
}
