package org.trustfleet.boot;

import io.quarkus.runtime.Application;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.smallrye.config.DotEnvConfigSourceProvider;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Entry point: starts the embedded PostgreSQL in the data directory when no external database is configured,
 * then hands over to Quarkus.
 *
 * <p>This has to happen before Quarkus reads its datasource configuration, which is why it is a main method and
 * not a startup observer.
 */
@QuarkusMain
public final class TrustfleetMain {
    private static final Logger LOG = Logger.getLogger(TrustfleetMain.class);
    /** Longest a stopping service waits for the application before it stops the embedded PostgreSQL anyway. */
    static final java.time.Duration APPLICATION_STOP_WAIT = java.time.Duration.ofSeconds(30);

    private TrustfleetMain() {}

    public static void main(String... args) throws IOException {
        if (args.length > 0 && args[0].equals("agent")) {
            // the reference agent (the agent library) ships in the same jar: java -jar quarkus-run.jar agent <command> ...
            org.trustfleet.cli.AgentCommand.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        // The JDK refuses chains over 10 certificates and handshake messages over 32 KiB by default, and reads
        // these once, at first TLS use: the scanner must be able to record what a misconfigured server sends.
        setIfAbsent("jdk.tls.maxCertificateChainLength", "256");
        setIfAbsent("jdk.tls.maxHandshakeMessageSize", "262144");
        if (args.length > 0 && args[0].equals("check")) {
            // no database, no Quarkus, the scanner's TLS limits: java -jar quarkus-run.jar check HOST[:PORT] | --chain FILE
            org.trustfleet.cli.CheckCommand.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("demo")) {
            // the field reports on loopback, on the demo's own data directory: java -jar quarkus-run.jar demo
            org.trustfleet.cli.DemoCommand.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        SmallRyeConfig config = preStartConfig(Path.of("").toAbsolutePath());
        Optional<String> jdbcUrl = config.getOptionalValue("quarkus.datasource.jdbc.url", String.class);
        if (jdbcUrl.isPresent()) {
            LOG.info("Using the external PostgreSQL configured in quarkus.datasource.jdbc.url");
            Quarkus.run(args);
            return;
        }
        Path dataDir = Path.of(config.getOptionalValue("trustfleet.data-dir", String.class).orElse("./data"));
        int port = config.getOptionalValue("trustfleet.embedded-db.port", Integer.class).orElse(0);
        EmbeddedDatabase database = EmbeddedDatabase.start(dataDir.resolve("postgres"), port, false, false);
        // stopped once the application has stopped (SIGTERM, Ctrl-C): a shutdown hook of zonky's own ran alongside
        // Quarkus's and stopped the server under the application's last writes ("terminating connection due to
        // administrator command")
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAfterApplication(database),
                "embedded-postgresql-stop"));
        LOG.infof("Embedded PostgreSQL started in %s on port %d", dataDir.resolve("postgres").toAbsolutePath(),
                database.port());
        System.setProperty("quarkus.datasource.jdbc.url", database.jdbcUrl());
        System.setProperty("quarkus.datasource.username", EmbeddedDatabase.USER);
        System.setProperty("quarkus.datasource.password", database.password());
        try {
            Quarkus.run(args);
        } finally {
            database.close();
        }
    }

    /** Waits (at most {@link #APPLICATION_STOP_WAIT}) for the application to stop, then stops PostgreSQL. */
    private static void stopAfterApplication(EmbeddedDatabase database) {
        Application application = Application.currentApplication();
        if (application != null) {
            Thread waiting = Thread.ofPlatform().daemon().name("embedded-postgresql-stop-wait")
                    .start(application::awaitShutdown);
            try {
                waiting.join(APPLICATION_STOP_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            database.close();
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Stopping the embedded PostgreSQL failed: %s", e.getMessage());
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /**
     * The few settings needed before Quarkus starts, read from the same places Quarkus reads them (system
     * properties, environment, {@code .env} and {@code config/application.properties} in the working directory, the
     * bundled {@code application.properties}), with the {@code prod} profile applied. Missing one would be
     * dangerous: a database configured only there would be ignored here and the embedded one started and used.
     */
    public static SmallRyeConfig preStartConfig(Path workingDirectory) throws IOException {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder().addDefaultSources().withProfile("prod");
        URL bundled = TrustfleetMain.class.getClassLoader().getResource("application.properties");
        if (bundled != null) {
            builder.withSources(new PropertiesConfigSource(bundled, 250));
        }
        Path local = workingDirectory.resolve("config").resolve("application.properties");
        if (Files.isReadable(local)) {
            builder.withSources(new PropertiesConfigSource(local.toUri().toURL(), 260));
        }
        Path dotEnv = workingDirectory.resolve(".env");
        if (Files.isReadable(dotEnv)) {
            // Quarkus's own loader for it (ordinal 295, environment-variable names)
            builder.withSources(new DotEnvConfigSourceProvider(dotEnv.toUri().toString()));
        }
        return builder.build();
    }
}
