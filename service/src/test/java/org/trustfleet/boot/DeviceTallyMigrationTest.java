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
 * V36 on a database that already has devices: the tally it creates counts them as grouping the device rows does, and
 * every device gets the UTC day of its last-seen time.
 */
class DeviceTallyMigrationTest {

    @Test
    void theDevicesAlreadyThereAreCountedAndTheirLastSeenDaySet() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "migration-pg-");
        try (EmbeddedDatabase database = EmbeddedDatabase.start(dir, 0, true)) {
            Flyway.configure().dataSource(database.jdbcUrl(), EmbeddedDatabase.USER, database.password())
                    .locations("classpath:db/migration").target("35").load().migrate();
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
            Flyway.configure().dataSource(database.jdbcUrl(), EmbeddedDatabase.USER, database.password())
                    .locations("classpath:db/migration").load().migrate();
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
                assertThat(rows(s, """
                        SELECT 'days wrong', count(*) FROM device
                        WHERE seen_day IS DISTINCT FROM (last_seen_at AT TIME ZONE 'UTC')::date""")).isEqualTo(
                        new TreeMap<>(java.util.Map.of("days wrong", 0L)));
            }
        }
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
