package org.trustfleet.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.trustfleet.boot.EmbeddedDatabase;

/**
 * Runs every {@code @QuarkusTest} against a real, freshly initialised embedded PostgreSQL, started the same way
 * the service starts its own.
 */
public class EmbeddedPostgresResource implements QuarkusTestResourceLifecycleManager {
    public static final String OPERATOR_TOKEN = "tfo_test-operator-token-not-a-secret";

    private EmbeddedDatabase database;

    @Override
    public Map<String, String> start() {
        try {
            Path target = Path.of("target");
            Files.createDirectories(target);
            Path dir = Files.createTempDirectory(target, "test-pg-");
            database = EmbeddedDatabase.start(dir, 0, true);
            Path dataDir = Files.createTempDirectory(target, "test-data-");
            return Map.of(
                    "quarkus.datasource.jdbc.url", database.jdbcUrl(),
                    "quarkus.datasource.username", EmbeddedDatabase.USER,
                    "quarkus.datasource.password", database.password(),
                    "trustfleet.operator-token", OPERATOR_TOKEN,
                    "trustfleet.data-dir", dataDir.toString(),
                    // test servers live on loopback
                    "trustfleet.scanner.allow-private-addresses", "true",
                    // and so do their CA repositories (AIA): an explicit opt-in, off by default
                    "trustfleet.scanner.aia.allow-loopback-and-link-local", "true",
                    "trustfleet.scanner.connect-timeout", "2s",
                    "trustfleet.scanner.handshake-timeout", "2s",
                    // scheduled scans are tested on their own (ScanSchedulingIT); here only manual scans run
                    "trustfleet.scanner.first-scan-delay", "1h");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        try {
            if (database != null) {
                database.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
