package org.trustfleet.boot;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The embedded PostgreSQL that the service (and the test suite) uses when no external database is configured:
 * real PostgreSQL binaries from Maven (zonky), with the data kept in a directory that survives restarts.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    public static final String DATABASE = "postgres";
    public static final String USER = "postgres";

    private final EmbeddedPostgres postgres;

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * Starts PostgreSQL on {@code dataDirectory}, initialising it on first use.
     *
     * @param port 0 picks a free loopback port
     * @param clean wipe the directory first (tests), or keep existing data (service)
     */
    public static EmbeddedDatabase start(Path dataDirectory, int port, boolean clean) throws IOException {
        Files.createDirectories(dataDirectory);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory.toAbsolutePath().toFile())
                .setCleanDataDirectory(clean)
                .setPort(port)
                .setPgBinaryResolver(new UnprivilegedPgBinaryResolver())
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("max_connections", "200")
                // the data must survive a crash: zonky turns synchronous commit off for test speed
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("listen_addresses", "localhost")
                .start();
        return new EmbeddedDatabase(postgres);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE;
    }

    public int port() {
        return postgres.getPort();
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
