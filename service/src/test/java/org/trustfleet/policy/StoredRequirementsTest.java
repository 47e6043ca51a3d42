package org.trustfleet.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.trustfleet.core.JsonColumns;

/** The requirements storage record: a row written by a later version still reads; the API view spells roles. */
class StoredRequirementsTest {
    static final ObjectMapper API = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final JsonColumns columns = new JsonColumns(API);

    @Test
    void unknownFieldsOfALaterVersionAreIgnoredAndTheApiViewKeepsItsSpelling() {
        UUID endpoint = UUID.randomUUID();
        String later = """
                {"schemaVersion": 1, "signedBy": "someone",
                 "certificates": [{"sha256": "%s", "role": "ROOT", "subject": "CN=root",
                                   "notAfter": "2030-01-01T00:00:00Z", "der": "MIIB",
                                   "reasons": [{"endpointId": "%s", "apiLevels": [30], "code": "UNTRUSTED_ROOT",
                                                "weight": 3}]}],
                 "unresolved": [], "advice": [{"endpointId": null, "code": "USER_CA_OPT_IN", "sha256": null,
                                              "detail": "opt in", "url": "https://example.test"}]}
                """.formatted("c".repeat(64), endpoint);

        StoredRequirements stored = columns.read(later, StoredRequirements.class);
        GroupRequirements view = stored.toApi(UUID.randomUUID(), 7, Instant.parse("2026-01-01T00:00:00Z"));

        assertThat(view.version()).isEqualTo(7);
        assertThat(view.certificates()).singleElement().satisfies(c -> {
            assertThat(c.role()).isEqualTo("root");
            assertThat(c.reasons()).containsExactly(new Reason(endpoint, List.of(30), ReasonCode.UNTRUSTED_ROOT));
        });
        assertThat(view.advice()).extracting(GroupRequirements.Hint::code).containsExactly(AdviceCode.USER_CA_OPT_IN);
        // written before server fixes existed: it has none
        assertThat(view.serverFixes()).isEmpty();
    }

    @Test
    void serverFixesReadBackEqual() {
        UUID endpoint = UUID.randomUUID();
        GroupRequirements.EndpointServerFix fix = new GroupRequirements.EndpointServerFix(endpoint,
                new org.trustfleet.scan.ServerFixAdvice(List.of("a".repeat(64), "b".repeat(64)), true,
                        List.of(new org.trustfleet.scan.ServerFixAdvice.Level(21, false, false, "NO_PATH: x"),
                                new org.trustfleet.scan.ServerFixAdvice.Level(23, true, false, null)),
                        List.of(21)));
        StoredRequirements stored = StoredRequirements.of(new Requirements(List.of(), List.of(), List.of()),
                List.of(fix));

        StoredRequirements read = columns.read(columns.write(stored), StoredRequirements.class);

        assertThat(read).isEqualTo(stored);
        assertThat(read.toApi(UUID.randomUUID(), 1, Instant.parse("2026-01-01T00:00:00Z")).serverFixes())
                .containsExactly(fix);
    }

    @Test
    void levelsSharingAVerdictAreStoredOnceAndReadBackPerLevelInLevelOrder() {
        UUID endpoint = UUID.randomUUID();
        String noPath = "NO_PATH: issuer 'CN=Contoso Root' of 'CN=sts.contoso.test' is not a trust anchor";
        List<org.trustfleet.scan.ServerFixAdvice.Level> perLevel = new java.util.ArrayList<>();
        for (int level = 24; level <= 35; level++) {
            perLevel.add(new org.trustfleet.scan.ServerFixAdvice.Level(level, false, false, noPath));
        }
        perLevel.add(new org.trustfleet.scan.ServerFixAdvice.Level(36, true, true, null));
        perLevel.add(new org.trustfleet.scan.ServerFixAdvice.Level(37, true, false, null));
        GroupRequirements.EndpointServerFix fix = new GroupRequirements.EndpointServerFix(endpoint,
                new org.trustfleet.scan.ServerFixAdvice(List.of("a".repeat(64)), false, perLevel,
                        java.util.stream.IntStream.rangeClosed(24, 35).boxed().toList()));

        String written = columns.write(StoredRequirements.of(new Requirements(List.of(), List.of(), List.of()),
                List.of(fix)));

        // the reason shared by twelve levels is written once; three verdicts, three entries
        assertThat(written.split(java.util.regex.Pattern.quote(noPath), -1)).hasSize(2);
        StoredRequirements read = columns.read(written, StoredRequirements.class);
        assertThat(read.schemaVersion()).isEqualTo(2);
        assertThat(read.serverFixes()).singleElement().satisfies(f -> {
            assertThat(f.perApiLevel()).isEmpty();
            assertThat(f.levels()).hasSize(3);
        });
        assertThat(read.toApi(UUID.randomUUID(), 1, Instant.parse("2026-01-01T00:00:00Z")).serverFixes())
                .containsExactly(fix);
    }

    @Test
    void aVersionOneRowListingEachLevelStillReadsInLevelOrder() {
        UUID endpoint = UUID.randomUUID();
        String versionOne = """
                {"schemaVersion": 1, "certificates": [], "unresolved": [], "advice": [],
                 "serverFixes": [{"endpointId": "%s", "chain": ["%s"], "changesPresented": true,
                                  "perApiLevel": [{"apiLevel": 24, "trusted": true, "trustedAsPresented": false,
                                                   "failure": null},
                                                  {"apiLevel": 23, "trusted": false, "trustedAsPresented": false,
                                                   "failure": "NO_PATH: x"}],
                                  "levelsNotFixed": [23]}]}
                """.formatted(endpoint, "a".repeat(64));

        GroupRequirements view = columns.read(versionOne, StoredRequirements.class)
                .toApi(UUID.randomUUID(), 3, Instant.parse("2026-01-01T00:00:00Z"));

        assertThat(view.serverFixes()).containsExactly(new GroupRequirements.EndpointServerFix(endpoint,
                new org.trustfleet.scan.ServerFixAdvice(List.of("a".repeat(64)), true,
                        List.of(new org.trustfleet.scan.ServerFixAdvice.Level(23, false, false, "NO_PATH: x"),
                                new org.trustfleet.scan.ServerFixAdvice.Level(24, true, false, null)),
                        List.of(23))));
    }
}
