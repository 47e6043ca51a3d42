package org.trustfleet.payload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SignedPayloadTest {

    private static final Instant ISSUED = Instant.parse("2026-12-01T00:00:00Z");

    private static SignedPayload payload(Instant issued, Instant expires) {
        return new SignedPayload(UUID.randomUUID(), UUID.randomUUID(), 3, UUID.randomUUID(), issued, expires, "etag",
                3_800);
    }

    @Test
    void aPayloadIsServedAsItIsWhileMoreThanHalfOfItsValidityIsLeft() {
        SignedPayload p = payload(ISSUED, ISSUED.plusSeconds(7 * 86_400));

        assertThat(p.freshAt(ISSUED)).isTrue();
        assertThat(p.freshAt(ISSUED.plusSeconds(3 * 86_400 + 43_199))).isTrue();
        assertThat(p.freshAt(ISSUED.plusSeconds(3 * 86_400 + 43_200))).as("half the validity passed").isFalse();
        assertThat(p.freshAt(ISSUED.plusSeconds(8 * 86_400))).isFalse();
    }
}
