package org.trustfleet.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.trustfleet.core.JsonColumns;
import org.trustfleet.pki.CertificateSummary;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.FindingCode;

/** The scan storage record: what is written reads back, and a row written by a later version still reads. */
class StoredScanTest {
    /** Configured like the application's mapper, which refuses unknown properties in API bodies. */
    static final ObjectMapper API = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    static final String A = "a".repeat(64);
    static final String B = "b".repeat(64);

    private final JsonColumns columns = new JsonColumns(API);

    @Test
    void writtenRecordReadsBackEqual() {
        ScanResult result = new ScanResult(UUID.randomUUID(), UUID.randomUUID(), Instant.now(), 5, ProbeStatus.OK,
                ScanResult.ScanTrigger.MANUAL, "TLSv1.3", null, null, null,
                List.of(new CertificateSummary(A, "CN=leaf", "CN=ca", Instant.parse("2026-01-01T00:00:00Z"),
                        Instant.parse("2027-01-01T00:00:00Z"), false, false)),
                List.of(A, B), List.of(Finding.about(FindingCode.MISSING_INTERMEDIATE, B, "not sent")),
                List.of(new ApiLevelVerdict(30, "api-30", true, List.of(), null)),
                new ServerFixAdvice(List.of(A, B), true, List.of(new ServerFixAdvice.Level(23, false, false,
                        "NO_PATH: x"), new ServerFixAdvice.Level(30, true, false, null)), List.of(23)));
        StoredScan stored = StoredScan.of(result, result.findings());

        String text = columns.write(stored);

        assertThat(text).contains("\"schemaVersion\":1", "\"isCa\":false");
        assertThat(columns.read(text, StoredScan.class)).isEqualTo(stored);
        assertThat(columns.read(text, StoredScan.class).serverFix().toAdvice()).isEqualTo(result.serverFix());
    }

    @Test
    void unknownFieldsOfALaterVersionAreIgnored() {
        String later = """
                {"schemaVersion": 1, "addedLater": {"x": 1},
                 "presented": [{"sha256": "%s", "subject": "CN=leaf", "issuer": "CN=ca",
                                "notBefore": "2026-01-01T00:00:00Z", "notAfter": "2027-01-01T00:00:00Z",
                                "isCa": false, "selfSigned": false, "keyAlgorithm": "EC"}],
                 "completedPath": ["%s"],
                 "findings": [{"code": "EXPIRES_SOON", "sha256": null, "detail": "soon", "severity": "low"}],
                 "perApiLevel": [{"apiLevel": 30, "store": "api-30", "trusted": true, "missing": [],
                                  "failure": null, "checkedAt": "2026-01-01T00:00:00Z"}]}
                """.formatted(A, A);

        StoredScan stored = columns.read(later, StoredScan.class);

        assertThat(stored.presentedSha256s()).containsExactly(A);
        assertThat(stored.findings()).extracting(StoredScan.StoredFinding::code)
                .containsExactly(FindingCode.EXPIRES_SOON);
        assertThat(stored.perApiLevel().get(0).trusted()).isTrue();
        // a row written before serverFix existed reads without one
        assertThat(stored.serverFix()).isNull();
        // the API's own mapper would have refused it: that is why storage has its own
        assertThatThrownBy(() -> API.readValue(later, StoredScan.class)).hasMessageContaining("Unrecognized field");
    }
}
