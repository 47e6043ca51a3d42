package org.trustfleet.cli;

import io.quarkus.runtime.Quarkus;
import io.smallrye.config.SmallRyeConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import org.trustfleet.boot.EmbeddedDatabase;
import org.trustfleet.boot.TrustfleetMain;

/**
 * {@code java -jar quarkus-run.jar demo}: the service, on its own embedded database in its own data directory, with
 * loopback endpoints that reproduce the field reports, a demo tenant and two simulated devices; see
 * {@link DemoScenario} for what it sets up. Ctrl-C (SIGTERM) stops all of it.
 *
 * <p>The data directory ({@code trustfleet.data-dir} / {@code TRUSTFLEET_DATA_DIR}, default {@code ./demo-data}) is
 * started afresh at every run, because the demo's certificates are generated anew: so it refuses a directory that is
 * not empty and that an earlier demo did not create.
 */
public final class DemoCommand {
    private static final Logger LOG = Logger.getLogger(DemoCommand.class);
    /** Marks a data directory as the demo's own, so that the next demo may wipe it. */
    static final String MARKER = ".trustfleet-demo";

    private DemoCommand() {}

    public static void main(String... args) throws IOException {
        if (args.length > 0) {
            System.err.println("demo: takes no arguments (configure it with QUARKUS_HTTP_PORT, TRUSTFLEET_DATA_DIR,"
                    + " TRUSTFLEET_OPERATOR_TOKEN)");
            System.exit(2);
        }
        SmallRyeConfig config = TrustfleetMain.preStartConfig(Path.of("").toAbsolutePath());
        Path dataDir = Path.of(config.getOptionalValue("trustfleet.data-dir", String.class).orElse("./demo-data"))
                .toAbsolutePath().normalize();
        try {
            prepare(dataDir);
        } catch (IllegalStateException e) {
            System.err.println("demo: " + e.getMessage());
            System.exit(2);
        }
        int httpPort = config.getOptionalValue("quarkus.http.port", Integer.class).orElse(8080);
        String host = config.getOptionalValue("quarkus.http.host", String.class).orElse(null);
        if (host == null) {
            // a demo with an admin key printed on the terminal answers this machine only
            host = "127.0.0.1";
            System.setProperty("quarkus.http.host", host);
        }
        String apiHost = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        System.setProperty("trustfleet.data-dir", dataDir.toString());
        // the demo's endpoints and AIA server are on loopback, which the scanner refuses by default
        System.setProperty("trustfleet.scanner.allow-private-addresses", "true");
        System.setProperty("trustfleet.scanner.aia.allow-loopback-and-link-local", "true");

        int dbPort = config.getOptionalValue("trustfleet.embedded-db.port", Integer.class).orElse(0);
        // always the embedded database: the demo's data must never land in a configured (real) one
        EmbeddedDatabase database = EmbeddedDatabase.start(dataDir.resolve("postgres"), dbPort, true);
        System.setProperty("quarkus.datasource.jdbc.url", database.jdbcUrl());
        System.setProperty("quarkus.datasource.username", EmbeddedDatabase.USER);
        System.setProperty("quarkus.datasource.password", database.password());
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        DemoScenario scenario = new DemoScenario(new DemoApi("http://" + hostForUrl(apiHost) + ":" + httpPort),
                dataDir, config.getOptionalValue("trustfleet.operator-token", String.class).orElse(null), out);
        Thread setup = new Thread(() -> {
            try {
                scenario.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.error("demo: setting up the scenarios failed", e);
                System.err.println("demo: setting up the scenarios failed: " + e.getMessage());
                Quarkus.asyncExit(1);
            }
        }, "demo-setup");
        setup.setDaemon(true);
        try {
            setup.start();
            Quarkus.run();
        } finally {
            setup.interrupt();
            scenario.close();
            database.close();
        }
    }

    private static String hostForUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /** Creates the data directory, or empties one that an earlier demo created; refuses any other. */
    static void prepare(Path dataDir) throws IOException {
        Path marker = dataDir.resolve(MARKER);
        if (Files.isDirectory(dataDir) && !Files.exists(marker)) {
            try (Stream<Path> entries = Files.list(dataDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalStateException(dataDir + " is not empty and was not created by the demo"
                            + " (it has no " + MARKER + "); the demo starts afresh at every run, so point"
                            + " TRUSTFLEET_DATA_DIR at a new directory");
                }
            }
        } else if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            throw new IllegalStateException(dataDir + " is not a directory");
        }
        if (Files.exists(marker)) {
            try (Stream<Path> tree = Files.walk(dataDir)) {
                for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
                    if (!path.equals(dataDir)) {
                        Files.delete(path);
                    }
                }
            }
        }
        Files.createDirectories(dataDir);
        Files.writeString(dataDir.resolve(MARKER), "created by `trustfleet demo`; wiped at its next start\n",
                StandardCharsets.UTF_8);
    }

    /** How long the demo waits for the service it started. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
}
