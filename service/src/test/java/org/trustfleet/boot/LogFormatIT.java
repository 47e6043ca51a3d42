package org.trustfleet.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trustfleet.testing.ServiceProcess;

/**
 * The packaged service logs human-readable lines unless JSON is configured, and then one JSON object per line (what
 * deploy/kubernetes sets for the cluster's log collector).
 */
class LogFormatIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void humanReadableByDefault() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "it-log-text-");
        try (ServiceProcess service = ServiceProcess.start(dataDir)) {
            List<String> lines = service.log().lines().filter(line -> !line.isBlank()).toList();
            assertThat(lines).isNotEmpty().noneMatch(line -> line.startsWith("{"));
            assertThat(lines).anyMatch(line -> line.matches(
                    "^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3} INFO  \\[io\\.quarkus\\] .* started in .*"));
        }
    }

    @Test
    void oneJsonObjectPerLineWhenConfigured() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "it-log-json-");
        try (ServiceProcess service = ServiceProcess.start(dataDir,
                Map.of("quarkus.log.console.json.enabled", "true"))) {
            List<String> lines = service.log().lines().filter(line -> !line.isBlank()).toList();
            assertThat(lines).isNotEmpty();
            boolean started = false;
            for (String line : lines) {
                JsonNode entry = JSON.readTree(line);
                assertThat(entry.path("level").asText()).isNotEmpty();
                started |= entry.path("loggerName").asText().equals("io.quarkus")
                        && entry.path("message").asText().contains("started in");
            }
            assertThat(started).isTrue();
        }
    }
}
