package org.trustfleet.boot;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;

/**
 * The embedded PostgreSQL that the service (and the test suite) uses when no external database is configured:
 * real PostgreSQL binaries from Maven (zonky), with the data kept in a directory that survives restarts.
 *
 * <p>zonky initialises the cluster with {@code trust} authentication, which would let any local user connect as
 * superuser. So the server gets no Unix socket, accepts only loopback TCP, and requires a password (SCRAM) that is
 * generated at first start and kept beside the data directory, readable by its owner only.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    public static final String DATABASE = "postgres";
    public static final String USER = "postgres";
    private static final String HBA = """
            # Written by Trustfleet at every start: loopback TCP with a password only, no Unix socket.
            host all all 127.0.0.1/32 scram-sha-256
            host all all ::1/128 scram-sha-256
            """;

    private final EmbeddedPostgres postgres;
    private final String password;

    private EmbeddedDatabase(EmbeddedPostgres postgres, String password) {
        this.postgres = postgres;
        this.password = password;
    }

    /**
     * Starts PostgreSQL on {@code dataDirectory}, initialising it on first use.
     *
     * @param port 0 picks a free loopback port
     * @param clean wipe the directory first (tests), or keep existing data (service)
     */
    public static EmbeddedDatabase start(Path dataDirectory, int port, boolean clean) throws IOException {
        Files.createDirectories(dataDirectory);
        String password = password(passwordFile(dataDirectory), clean);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory.toAbsolutePath().toFile())
                .setCleanDataDirectory(clean)
                .setPort(port)
                .setPgBinaryResolver(new UnprivilegedPgBinaryResolver())
                .setPGStartupWait(Duration.ofSeconds(60))
                .setConnectConfig("password", password)
                .setServerConfig("max_connections", "200")
                // the data must survive a crash: zonky turns synchronous commit off for test speed
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("listen_addresses", "localhost")
                .setServerConfig("unix_socket_directories", "")
                .setServerConfig("password_encryption", "scram-sha-256")
                .start();
        EmbeddedDatabase database = new EmbeddedDatabase(postgres, password);
        database.requirePassword(dataDirectory);
        return database;
    }

    /** Where the password of the database in {@code dataDirectory} is kept: {@code <dir>-password} beside it. */
    public static Path passwordFile(Path dataDirectory) {
        Path absolute = dataDirectory.toAbsolutePath();
        return absolute.resolveSibling(absolute.getFileName() + "-password");
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE;
    }

    public String password() {
        return password;
    }

    public int port() {
        return postgres.getPort();
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }

    /** Sets the password and switches authentication from zonky's trust to SCRAM (idempotent). */
    private void requirePassword(Path dataDirectory) throws IOException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            // the password is our own base64url text: safe to inline, and ALTER USER takes no parameters
            statement.execute("ALTER USER " + USER + " PASSWORD '" + password + "'");
            Files.writeString(dataDirectory.resolve("pg_hba.conf"), HBA, StandardCharsets.US_ASCII);
            statement.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new IOException("cannot secure the embedded PostgreSQL", e);
        }
    }

    private static String password(Path file, boolean fresh) throws IOException {
        if (!fresh && Files.isRegularFile(file)) {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, password + "\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        return password;
    }
}
