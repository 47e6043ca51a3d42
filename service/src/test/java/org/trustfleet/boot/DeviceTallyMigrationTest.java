package org.trustfleet.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.TreeMap;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * V36 and V37 on a database that already has devices: the tally V36 creates counts them as grouping the device rows
 * does, every device keeps its last-seen time in the row V37 moves it to, with the UTC day of that time, and what a
 * replica of the previous version does with devices still works on the migrated schema (V37 is additive). Then V40,
 * the contract half: the old columns go, and every device keeps its last-seen row.
 */
class DeviceTallyMigrationTest {

    @Test
    void theDevicesAlreadyThereAreCountedAndKeepTheirLastSeenTimes() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "migration-pg-");
        try (EmbeddedDatabase database = EmbeddedDatabase.start(dir, 0, true)) {
            migrate(database, "35");
            try (Connection c = DriverManager.getConnection(database.jdbcUrl(), EmbeddedDatabase.USER,
                    database.password()); Statement s = c.createStatement()) {
                s.execute("""
                        INSERT INTO tenant (id, name, created_at) VALUES
                            ('00000000-0000-0000-0000-000000000001', 'a', now()),
                            ('00000000-0000-0000-0000-000000000002', 'b', now());
                        INSERT INTO device_group (id, tenant_id, name, min_api_level, max_api_level, management_mode,
                                                  include_sha256, exclude_sha256, created_at, updated_at, all_endpoints)
                        SELECT ('00000000-0000-0000-0001-00000000000' || g)::uuid,
                               ('00000000-0000-0000-0000-00000000000' || (1 + g % 2))::uuid, 'g' || g, 24, 36,
                               'FULLY_MANAGED', '[]', '[]', now(), now(), true
                        FROM generate_series(1, 4) g;
                        -- 200 devices over both tenants, four groups or none, revoked or not, reported or not,
                        -- two versions and sets, with and without failures, last seen over the last ten days
                        INSERT INTO device (id, tenant_id, device_group_id, hardware_id, token_hash, api_level,
                                            enrolled_at, last_seen_at, revoked_at, reported_at, reported_version,
                                            reported_installed, reported_failures)
                        SELECT gen_random_uuid(), ('00000000-0000-0000-0000-00000000000' || (1 + i % 2))::uuid,
                               CASE WHEN i % 5 = 0 THEN NULL
                                    ELSE ('00000000-0000-0000-0001-00000000000' || (1 + i % 2 + 2 * (i % 3 % 2)))::uuid
                               END,
                               'hw-' || i, sha256(int4send(i)), 30, now(), now() - i * interval '73 minutes',
                               CASE WHEN i % 7 = 0 THEN now() END,
                               CASE WHEN i % 4 <> 0 THEN now() END,
                               CASE WHEN i % 4 <> 0 THEN 1 + i % 2 END,
                               CASE WHEN i % 4 <> 0 THEN CASE WHEN i % 3 = 0 THEN '["aa"]' ELSE '[]' END END,
                               CASE WHEN i % 4 = 1 THEN '[{"sha256":"aa","error":"x"}]'
                                    WHEN i % 4 <> 0 THEN '[]' END
                        FROM generate_series(1, 200) i""");
            }
            migrate(database, "39");
            try (Connection c = DriverManager.getConnection(database.jdbcUrl(), EmbeddedDatabase.USER,
                    database.password()); Statement s = c.createStatement()) {
                TreeMap<String, Long> tally = rows(s, """
                        SELECT concat_ws(' ', tenant_id, device_group_id, active, reported_version,
                                         reported_installed, failed), devices FROM device_tally""");
                TreeMap<String, Long> grouped = rows(s, """
                        SELECT concat_ws(' ', tenant_id, device_group_id, revoked_at IS NULL, reported_version,
                                         reported_installed, COALESCE(reported_failures, '[]') <> '[]'), count(*)
                        FROM device GROUP BY 1""");
                assertThat(tally).isEqualTo(grouped).hasSizeGreaterThan(20);
                assertThat(tally.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(200);
                // inserted above as now() - i * 73 minutes, with enrolled_at = now(), for hardware id hw-<i>
                assertThat(rows(s, """
                        SELECT 'wrong or missing', count(*)
                        FROM device d LEFT JOIN device_seen ds ON ds.device_id = d.id
                        WHERE ds.device_id IS NULL OR ds.tenant_id <> d.tenant_id
                           OR ds.last_seen_at <> d.enrolled_at - substr(d.hardware_id, 4)::int * interval '73 minutes'
                           OR ds.seen_day IS DISTINCT FROM (ds.last_seen_at AT TIME ZONE 'UTC')::date""")).isEqualTo(
                        new TreeMap<>(java.util.Map.of("wrong or missing", 0L)));
                assertThat(rows(s, "SELECT 'rows', count(*) FROM device_seen")).isEqualTo(
                        new TreeMap<>(java.util.Map.of("rows", 200L)));

                // a replica of the previous version, during a rolling upgrade: it enrolls with last_seen_at, writes
                // it, and finds stale devices by device.seen_day; all of it still works, and its device gets its row
                s.execute("""
                        INSERT INTO device (id, tenant_id, device_group_id, hardware_id, token_hash, api_level,
                                            enrolled_at, last_seen_at)
                        VALUES ('00000000-0000-0000-0002-000000000001', '00000000-0000-0000-0000-000000000001',
                                NULL, 'hw-old-replica', sha256('old'), 30, now(), now());
                        UPDATE device SET last_seen_at = now() WHERE hardware_id = 'hw-old-replica'""");
                TreeMap<String, Long> staleByTheOldColumns = rows(s, """
                        SELECT 'stale', count(*) FROM device
                        WHERE tenant_id = '00000000-0000-0000-0000-000000000001'
                          AND seen_day <= (now() - interval '7 days')::date
                          AND last_seen_at < now() - interval '7 days'""");
                assertThat(staleByTheOldColumns).isEqualTo(rows(s, """
                        SELECT 'stale', count(*) FROM device_seen
                        WHERE tenant_id = '00000000-0000-0000-0000-000000000001'
                          AND seen_day <= (now() - interval '7 days')::date
                          AND last_seen_at < now() - interval '7 days'""")).doesNotContainValue(0L);
                // and this version inserts devices without it
                insertAsThisVersion(s, 2, "hw-new-replica");
                assertThat(seenSinceEnrolment(s, "hw-%-replica")).isEqualTo(
                        new TreeMap<>(java.util.Map.of("hw-old-replica", 1L, "hw-new-replica", 1L)));
                String lastSeen = "SELECT device_id::text, (extract(epoch FROM last_seen_at) * 1000000)::bigint"
                        + " FROM device_seen";
                TreeMap<String, Long> lastSeenBefore = rows(s, lastSeen);
                assertThat(lastSeenBefore).hasSize(202);

                // V40: once no replica of a version before V37 runs, the old columns go
                migrate(database, null);
                assertThat(rows(s, """
                        SELECT column_name, count(*) FROM information_schema.columns
                        WHERE table_name = 'device' AND column_name IN ('last_seen_at', 'seen_day')
                        GROUP BY 1""")).isEmpty();
                assertThat(rows(s, lastSeen)).isEqualTo(lastSeenBefore);
                insertAsThisVersion(s, 3, "hw-after-v40");
                assertThat(seenSinceEnrolment(s, "hw-after-v40"))
                        .isEqualTo(new TreeMap<>(java.util.Map.of("hw-after-v40", 1L)));
            }
        }
    }

    /** Migrates to {@code target}, or to the newest version when it is null, with the service's own settings. */
    private static void migrate(EmbeddedDatabase database, String target) {
        var flyway = Flyway.configure().dataSource(database.jdbcUrl(), EmbeddedDatabase.USER, database.password())
                .locations("classpath:db/migration");
        (target == null ? flyway : flyway.target(target)).load().migrate();
    }

    /** A device inserted as this version inserts it: without a last-seen time of its own. */
    private static void insertAsThisVersion(Statement s, int n, String hardwareId) throws SQLException {
        s.execute("""
                INSERT INTO device (id, tenant_id, device_group_id, hardware_id, token_hash, api_level, enrolled_at)
                VALUES ('00000000-0000-0000-0002-00000000000%d', '00000000-0000-0000-0000-000000000001',
                        NULL, '%s', sha256('%s'), 30, now())""".formatted(n, hardwareId, hardwareId));
    }

    /** The devices whose hardware id is like {@code pattern} and whose last-seen row holds their enrolment time. */
    private static TreeMap<String, Long> seenSinceEnrolment(Statement s, String pattern) throws SQLException {
        return rows(s, """
                SELECT hardware_id, count(*) FROM device d JOIN device_seen ds ON ds.device_id = d.id
                WHERE hardware_id LIKE '%s' AND ds.last_seen_at = d.enrolled_at GROUP BY 1""".formatted(pattern));
    }

    private static TreeMap<String, Long> rows(Statement s, String query) throws SQLException {
        TreeMap<String, Long> rows = new TreeMap<>();
        try (ResultSet r = s.executeQuery(query)) {
            while (r.next()) {
                rows.merge(r.getString(1), r.getLong(2), Long::sum);
            }
        }
        return rows;
    }
}
