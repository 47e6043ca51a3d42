package org.trustfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo starts afresh at every run and so wipes its data directory: only ever one that an earlier demo created,
 * never a service's data directory pointed at by mistake.
 */
class DemoCommandTest {

    @Test
    void createsAMissingDirectoryAndMarksItAsTheDemos(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("demo-data");

        DemoCommand.prepare(data);

        assertThat(data.resolve(DemoCommand.MARKER)).exists();
    }

    @Test
    void refusesANonEmptyDirectoryTheDemoDidNotCreate(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("postgres"));
        Files.writeString(data.resolve("operator-token"), "tfo_keep-me", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> DemoCommand.prepare(data)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("was not created by the demo").hasMessageContaining("TRUSTFLEET_DATA_DIR");

        assertThat(Files.readString(data.resolve("operator-token"), StandardCharsets.UTF_8)).isEqualTo("tfo_keep-me");
        assertThat(data.resolve(DemoCommand.MARKER)).doesNotExist();
    }

    @Test
    void wipesWhatAnEarlierDemoLeft(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("demo-data");
        DemoCommand.prepare(data);
        Files.createDirectories(data.resolve("postgres").resolve("base"));
        Files.writeString(data.resolve("postgres").resolve("base").resolve("1"), "old", StandardCharsets.UTF_8);

        DemoCommand.prepare(data);

        try (var entries = Files.list(data)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly(DemoCommand.MARKER);
        }
    }

    @Test
    void acceptsAnEmptyDirectory(@TempDir Path dir) throws Exception {
        DemoCommand.prepare(dir);

        assertThat(dir.resolve(DemoCommand.MARKER)).exists();
    }
}
