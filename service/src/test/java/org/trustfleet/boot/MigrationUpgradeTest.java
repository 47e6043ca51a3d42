package org.trustfleet.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;

/**
 * Forward-only migrations: a database at the schema of an earlier release must upgrade with the service's own Flyway
 * settings (no out-of-order). A migration numbered below an applied one is refused by Flyway's validation, so every
 * new migration must take a version above the highest released one.
 */
class MigrationUpgradeTest {
    /** The highest migration version of each earlier release, oldest first. */
    private static final String[] RELEASED = {"8", "9", "20"};

    @Test
    void aDatabaseAtEachReleasedSchemaUpgradesToTheLatest() throws Exception {
        for (String released : RELEASED) {
            Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "migration-pg-");
            try (EmbeddedDatabase database = EmbeddedDatabase.start(dir, 0, true)) {
                Flyway.configure().dataSource(database.jdbcUrl(), EmbeddedDatabase.USER, database.password())
                        .locations("classpath:db/migration").target(released).load().migrate();

                Flyway service = Flyway.configure()
                        .dataSource(database.jdbcUrl(), EmbeddedDatabase.USER, database.password())
                        .locations("classpath:db/migration").load();
                service.migrate();

                MigrationInfo[] all = service.info().all();
                MigrationVersion newest = Arrays.stream(all).map(MigrationInfo::getVersion)
                        .max(MigrationVersion::compareTo).orElseThrow();
                assertEquals(newest, service.info().current().getVersion(), "upgraded from V" + released);
                assertEquals(0, service.info().pending().length, "nothing left pending from V" + released);
            }
        }
    }
}
