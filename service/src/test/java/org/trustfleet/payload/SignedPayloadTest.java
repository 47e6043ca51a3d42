package org.trustfleet.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SignedPayloadTest {

    private static final Instant ISSUED = Instant.parse("2026-12-01T00:00:00Z");

    private static SignedPayload payload(byte[] cms) {
        return new SignedPayload(UUID.randomUUID(), UUID.randomUUID(), 3, UUID.randomUUID(), ISSUED,
                ISSUED.plusSeconds(7 * 86_400), "etag", cms);
    }

    @Test
    void theBytesAreCopiedOutOfTheHeapAndNotTheCallersArray() {
        byte[] signed = {0x30, (byte) 0x82, 1, 2, 3};
        SignedPayload p = payload(signed);
        signed[0] = 0;

        assertThat(p.cms().isDirect()).isTrue();
        assertThat(p.size()).isEqualTo(5);
        assertThat(p.cmsBytes()).containsExactly(0x30, 0x82, 1, 2, 3);
    }

    @Test
    void eachCallerReadsItsOwnViewAndNoneCanWrite() {
        SignedPayload p = payload(new byte[] {1, 2, 3, 4});
        ByteBuffer first = p.cms();
        first.get();
        first.get();

        ByteBuffer second = p.cms();
        assertThat(second.position()).isZero();
        assertThat(second.remaining()).isEqualTo(4);
        assertThat(first.remaining()).isEqualTo(2);
        assertThat(second.isReadOnly()).isTrue();
        assertThatThrownBy(() -> second.put(0, (byte) 9)).isInstanceOf(ReadOnlyBufferException.class);
        byte[] copy = p.cmsBytes();
        copy[0] = 9;
        assertThat(p.cmsBytes()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void aWritableBufferIsRefused() {
        assertThatThrownBy(() -> new SignedPayload(UUID.randomUUID(), UUID.randomUUID(), 1, UUID.randomUUID(),
                ISSUED, ISSUED.plusSeconds(60), "etag", ByteBuffer.allocateDirect(3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
    }

    @Test
    void payloadsWithTheSameBytesAreEqual() {
        UUID tenant = UUID.randomUUID();
        UUID group = UUID.randomUUID();
        UUID signer = UUID.randomUUID();
        SignedPayload a = new SignedPayload(tenant, group, 1, signer, ISSUED, ISSUED.plusSeconds(60), "e",
                new byte[] {7, 8});
        SignedPayload b = new SignedPayload(tenant, group, 1, signer, ISSUED, ISSUED.plusSeconds(60), "e",
                new byte[] {7, 8});
        SignedPayload c = new SignedPayload(tenant, group, 1, signer, ISSUED, ISSUED.plusSeconds(60), "e",
                new byte[] {7, 9});

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c);
    }
}
