package org.trustfleet.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pure parts of alerts: signatures, backoff, expiry thresholds and the escaping of chat bodies. */
class AlertUnitsTest {

    @Test
    void signatureIsHmacOverTimestampDotBodyAndRejectsTamperingAndReplays() {
        String secret = "whsec_test";
        byte[] body = "{\"id\":\"1\"}".getBytes(StandardCharsets.UTF_8);
        String header = Signatures.header(secret, 1_700_000_000L, body);
        // printf '1700000000.{"id":"1"}' | openssl dgst -sha256 -hmac whsec_test
        assertThat(header).isEqualTo(
                "t=1700000000,v1=11bf4466ea17c3df3fd743af0b435368e16b7a05eb8eced85e8c4670767bdec5");
        assertThat(Signatures.verify(secret, header, body, 1_700_000_100L, 300)).isTrue();
        assertThat(Signatures.verify(secret, header, body, 1_700_000_400L, 300)).as("replayed late").isFalse();
        assertThat(Signatures.verify("other", header, body, 1_700_000_000L, 300)).isFalse();
        assertThat(Signatures.verify(secret, header, "{\"id\":\"2\"}".getBytes(StandardCharsets.UTF_8),
                1_700_000_000L, 300)).isFalse();
        assertThat(Signatures.verify(secret, header.replace("t=1700000000", "t=1700000001"), body, 1_700_000_000L,
                300)).as("timestamp is signed").isFalse();
        assertThat(Signatures.verify(secret, null, body, 0, 300)).isFalse();
        assertThat(Signatures.verify(secret, "t=x,v1=00", body, 0, 300)).isFalse();
        assertThat(Signatures.newSecret()).startsWith("whsec_").hasSize(6 + 43).isNotEqualTo(Signatures.newSecret());
    }

    @Test
    void signatureMatchesOpenssl() {
        // printf '0.The quick brown fox jumps over the lazy dog' | openssl dgst -sha256 -hmac key
        assertThat(Signatures.hmac("key", 0, "The quick brown fox jumps over the lazy dog"
                .getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("8511f28f7a1949f0c42772b447d68b2daf760f5f0439a20a17e3b4e7cd395763");
    }

    @ParameterizedTest
    @CsvSource({
            // attempts, random, expected millis (initial 1000, max 60000)
            "1, 0.0, 500", "1, 1.0, 1000", "2, 0.0, 1000", "3, 0.5, 3000", "7, 1.0, 60000", "8, 0.0, 30000",
            "40, 1.0, 60000"})
    void backoffDoublesWithEqualJitterUpToTheMaximum(int attempts, double random, long millis) {
        assertThat(DeliveryStore.backoff(attempts, Duration.ofSeconds(1), Duration.ofMinutes(1), random))
                .isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @CsvSource({"40, ", "30, 30", "29, 30", "14, 14", "8, 14", "7, 7", "1, 1", "0, 1", "-3, 1"})
    void theSmallestCrossedThresholdFires(int daysLeft, Integer expected) {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(AlertWatcher.crossed(now.plus(Duration.ofDays(daysLeft)), now, List.of(1, 7, 14, 30)))
                .isEqualTo(Optional.ofNullable(expected));
    }

    @Test
    void chatBodiesEscapeServerText() {
        assertThat(AlertBodies.slackEscape("CN=<!channel> & <http://x|y>")).isEqualTo(
                "CN=&lt;!channel&gt; &amp; &lt;http://x|y&gt;");
        assertThat(AlertBodies.teamsEscape("<img src=x onerror=alert(1)> *bold* [l](u)\nx")).isEqualTo(
                "&lt;img src=x onerror=alert\\(1\\)&gt; \\*bold\\* \\[l\\]\\(u\\) x");
        assertThat(AlertBodies.oneLine("a\r\nb\u2028c")).isEqualTo("a  b c");
    }
}
