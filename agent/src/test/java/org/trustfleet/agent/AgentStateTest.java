package org.trustfleet.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The state file: round trip, files written by earlier reference agents, and the ISO-8601 instants in it. */
class AgentStateTest {

    @TempDir
    Path tmp;

    /** What the Jackson-based reference agent wrote before the library existed. */
    static final String EARLIER_FILE = """
            {
              "format" : "trustfleet.agent-state/v1",
              "baseUrl" : "http://127.0.0.1:8080",
              "payloadUrl" : "http://127.0.0.1:8080/api/v1/device/payload",
              "deviceId" : "6f1c2b4a-1111-4222-8333-944455556666",
              "deviceToken" : "tfd_secret",
              "hardwareId" : "hw-1",
              "apiLevel" : 30,
              "tenantId" : "3f1c2b4a-1111-4222-8333-944455556666",
              "deviceGroupId" : null,
              "pinnedRootPem" : "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n",
              "lastVersion" : 7,
              "lastIssuedAt" : "2025-01-02T03:04:05.123456Z",
              "lastListed" : [ "%s" ],
              "lastEtag" : "\\"abc\\"",
              "installed" : [ "%s" ],
              "failures" : [ { "sha256" : "%s", "error" : "install failed" } ],
              "reportPending" : true,
              "lastSyncAt" : "2025-01-02T03:04:06Z"
            }
            """.formatted("a".repeat(64), "a".repeat(64), "b".repeat(64));

    @Test
    void readsFilesOfEarlierReferenceAgents() throws Exception {
        File dir = tmp.resolve("state").toFile();
        dir.mkdirs();
        Files.writeString(dir.toPath().resolve(FileAgentStateStore.FILE_NAME), EARLIER_FILE, StandardCharsets.UTF_8);
        AgentState s = new FileAgentStateStore(dir).loadOrNull();
        assertThat(s.lastVersion()).isEqualTo(7L);
        assertThat(s.deviceGroupId()).isNull();
        assertThat(s.installed()).containsExactly("a".repeat(64));
        assertThat(s.failures()).containsExactly(new ReportFailure("b".repeat(64), "install failed"));
        assertThat(s.reportPending()).isTrue();
        assertThat(s.lastEtag()).isEqualTo("\"abc\"");
        assertThat(s.lastEndpoints()).isEmpty();
        assertThat(s.observationDigest()).isNull();
        assertThat(s.toString()).doesNotContain("tfd_secret");
    }

    @Test
    void roundTripKeepsEveryField() {
        PayloadEndpoint e = new PayloadEndpoint(UUID.randomUUID(), "sts.example", 443, null, "tls");
        AgentState s = new AgentState(null, "https://tf.example", "https://tf.example/p", UUID.randomUUID(), "tok",
                "hw", 33, UUID.randomUUID(), UUID.randomUUID(), "pem", 4L, "2025-01-02T03:04:05Z",
                List.of("c".repeat(64)), "\"e\"", List.of(), List.of(), false, "2025-01-02T03:04:06Z")
                .accepted(UUID.randomUUID(), 5, "2025-01-03T00:00:00Z", List.of(), null, List.of("d".repeat(64)),
                        List.of(), "2025-01-03T00:00:01Z", List.of(e))
                .withVerifiedAt(123L).withObservationDigest("f".repeat(64));
        File dir = tmp.resolve("s2").toFile();
        new FileAgentStateStore(dir).save(s);
        assertThat(new FileAgentStateStore(dir).loadOrNull()).isEqualTo(s);
        assertThat(dir.list()).containsExactly(FileAgentStateStore.FILE_NAME);
    }

    @Test
    void unknownFormatIsRefused() {
        assertThatThrownBy(() -> AgentState.fromJson(EARLIER_FILE.replace("agent-state/v1", "agent-state/v9")))
                .isInstanceOf(AgentException.class).hasMessageContaining("unsupported state file format");
    }

    @ParameterizedTest
    @CsvSource({
        "2025-01-02T03:04:05Z, 1735787045000000000",
        "2025-01-02T03:04:05.5Z, 1735787045500000000",
        "2025-01-02T03:04:05.123456789Z, 1735787045123456789",
        "1970-01-01T00:00:00Z, 0"})
    void parsesInstantsExactly(String text, long nanos) {
        assertThat(Iso8601.parseNanos(text)).isEqualTo(nanos);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-01-02T03:04:05", "2025-13-02T03:04:05Z", "2025-02-30T03:04:05Z", "yesterday",
        "2025-01-02T03:04:05+01:00", "2025-01-02T24:00:00Z"})
    void refusesWhatIsNotAUtcInstant(String text) {
        assertThatThrownBy(() -> Iso8601.parseNanos(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void formatsMillisAsIso() {
        assertThat(Iso8601.format(1735787045000L)).isEqualTo("2025-01-02T03:04:05Z");
        assertThat(Iso8601.format(1735787045120L)).isEqualTo("2025-01-02T03:04:05.120Z");
    }
}
