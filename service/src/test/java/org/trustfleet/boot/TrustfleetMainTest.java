package org.trustfleet.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.SmallRyeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The settings read before Quarkus starts (whether to start the embedded database, where, on which port) come from
 * the same files Quarkus reads, with the same precedence; otherwise a database configured in one of them would be
 * ignored and the embedded one used instead.
 */
class TrustfleetMainTest {

    @Test
    void readsDotEnvAndConfigApplicationPropertiesOfTheWorkingDirectory(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("config"));
        Files.writeString(dir.resolve("config").resolve("application.properties"),
                "trustfleet.data-dir=/srv/from-config\ntrustfleet.embedded-db.port=5433\n");
        Files.writeString(dir.resolve(".env"), "TRUSTFLEET_DATA_DIR=/srv/from-dotenv\n"
                + "QUARKUS_DATASOURCE_USERNAME=from-dotenv\n");

        SmallRyeConfig config = TrustfleetMain.preStartConfig(dir);

        // .env (295) outranks config/application.properties (260), as in Quarkus
        assertThat(config.getOptionalValue("trustfleet.data-dir", String.class)).contains("/srv/from-dotenv");
        assertThat(config.getOptionalValue("trustfleet.embedded-db.port", Integer.class)).contains(5433);
        assertThat(config.getOptionalValue("quarkus.datasource.username", String.class)).contains("from-dotenv");
    }

    @Test
    void theProdProfileApplies(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("config"));
        Files.writeString(dir.resolve("config").resolve("application.properties"),
                "trustfleet.data-dir=/srv/any-profile\n%prod.trustfleet.data-dir=/srv/prod\n");

        SmallRyeConfig config = TrustfleetMain.preStartConfig(dir);

        assertThat(config.getProfiles()).containsExactly("prod");
        assertThat(config.getOptionalValue("trustfleet.data-dir", String.class)).contains("/srv/prod");
    }

    @Test
    void logsAreHumanReadableUnlessJsonIsConfigured(@TempDir Path dir) throws Exception {
        // the bundled application.properties, as the packaged jar reads it (prod profile)
        assertThat(TrustfleetMain.preStartConfig(dir)
                .getOptionalValue("quarkus.log.console.json.enabled", Boolean.class)).contains(false);

        Files.writeString(dir.resolve(".env"), "QUARKUS_LOG_CONSOLE_JSON_ENABLED=true\n");
        assertThat(TrustfleetMain.preStartConfig(dir)
                .getOptionalValue("quarkus.log.console.json.enabled", Boolean.class)).contains(true);
    }
}
