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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The embedded PostgreSQL that the service (and the test suite) uses when no external database is configured:
 * real PostgreSQL binaries from Maven (zonky), with the data kept in a directory that survives restarts.
 *
 * <p>zonky initialises the cluster with {@code trust} authentication, which would let any local user connect as
 * superuser. So the server gets no Unix socket, accepts only loopback TCP, and requires a password (SCRAM) that is
 * generated at first start and kept beside the data directory, readable by its owner only.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
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
        return start(dataDirectory, port, clean, true);
    }

    /**
     * As {@link #start(Path, int, boolean)}; {@code stopAtJvmExit} false leaves stopping it to the caller, also when
     * the JVM exits: the service stops it after the application has stopped ({@code TrustfleetMain}), where a JVM
     * shutdown hook of its own would stop it while the application still writes.
     */
    public static EmbeddedDatabase start(Path dataDirectory, int port, boolean clean, boolean stopAtJvmExit)
            throws IOException {
        Files.createDirectories(dataDirectory);
        stopOrphan(dataDirectory);
        String password = password(passwordFile(dataDirectory), clean);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory.toAbsolutePath().toFile())
                .setCleanDataDirectory(clean)
                .setPort(port)
                .setPgBinaryResolver(new UnprivilegedPgBinaryResolver())
                .setPGStartupWait(Duration.ofSeconds(60))
                .setConnectConfig("password", password)
                .setServerConfig("max_connections", "200")
                // the data must survive a crash: zonky turns synchronous commit off for test speed, and starts the
                // server with -F (fsync off), so that a commit reached the operating system but not the disk; a
                // later -c fsync=on wins over -F
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on")
                .setServerConfig("listen_addresses", "localhost")
                .setServerConfig("unix_socket_directories", "")
                .setServerConfig("password_encryption", "scram-sha-256")
                .setRegisterShutdownHook(stopAtJvmExit)
                .start();
        EmbeddedDatabase database = new EmbeddedDatabase(postgres, password);
        database.requirePassword(dataDirectory);
        return database;
    }

    /**
     * Stops a PostgreSQL still running on {@code dataDirectory} for a service that was killed ({@code kill -9}, the
     * OOM killer): {@code pg_ctl} starts the server detached, so it outlives the JVM, and the new start would fail on
     * its {@code postmaster.pid}. Its only clients died with the old JVM. Only a live {@code postgres} process whose
     * lock file names this very directory is stopped (a stale file of a dead process PostgreSQL handles itself).
     */
    static void stopOrphan(Path dataDirectory) throws IOException {
        Path lockFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.isRegularFile(lockFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(lockFile, StandardCharsets.US_ASCII);
        if (lines.size() < 2) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).strip());
        } catch (NumberFormatException e) {
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        boolean postgres = process.flatMap(p -> p.info().command())
                .map(command -> Path.of(command).getFileName().toString().equals("postgres")).orElse(false);
        if (!postgres || !sameDirectory(Path.of(lines.get(1).strip()), dataDirectory)) {
            return;
        }
        LOG.warnf("Stopping the PostgreSQL (pid %d) left running on %s by a service that did not shut down", pid,
                dataDirectory);
        ProcessHandle orphan = process.get();
        orphan.destroy(); // SIGTERM: PostgreSQL's smart shutdown, with no client left
        try {
            orphan.onExit().get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            orphan.destroyForcibly();
            try {
                orphan.onExit().get(30, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException stillThere) {
                throw new IOException("PostgreSQL (pid " + pid + ") still runs on " + dataDirectory
                        + " and does not stop; stop it, then start the service again");
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while stopping PostgreSQL (pid " + pid + ")", interrupted);
            }
        } catch (ExecutionException e) {
            throw new IOException("cannot wait for PostgreSQL (pid " + pid + ") to stop", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping PostgreSQL (pid " + pid + ")", e);
        }
    }

    private static boolean sameDirectory(Path a, Path b) {
        try {
            return a.toRealPath().equals(b.toRealPath());
        } catch (IOException e) {
            return false;
        }
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
