package org.trustfleet.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

    /**
     * In a JVM whose memory outside the heap is limited to 64 KB, payloads of 24 KB each, all kept: the first ones
     * outside the heap, the rest on it once the limit is reached, every one serving its own bytes; the operator is
     * told once.
     */
    @Test
    void beyondTheDirectMemoryLimitPayloadsKeepTheirBytesOnTheHeap() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process probe = new ProcessBuilder(java, "-XX:MaxDirectMemorySize=64k", "-cp",
                System.getProperty("java.class.path"), DirectLimitProbe.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(probe.waitFor()).as(out).isZero();
        List<String> kinds = out.lines().filter(l -> l.startsWith("payload ")).map(l -> l.split(" ")[2]).toList();
        assertThat(kinds).as(out).hasSize(DirectLimitProbe.COUNT).startsWith("direct").endsWith("heap");
        assertThat(String.join(",", kinds)).as("once on the heap, the rest too (nothing was freed)")
                .matches("(direct,)+heap(,heap)*");
        assertThat(out.lines().filter(l -> l.startsWith("bytes ")).toList()).as(out)
                .hasSize(DirectLimitProbe.COUNT).allMatch(l -> l.endsWith(" intact"));
        assertThat(out.split("limit on direct memory is reached", -1)).as(out).hasSize(2);
    }

    /** Run in a JVM of its own by the test above: makes and keeps payloads, then reads each one's bytes back. */
    static final class DirectLimitProbe {
        static final int COUNT = 6;
        private static final int SIZE = 24 * 1024;

        public static void main(String[] args) {
            List<SignedPayload> kept = new ArrayList<>();
            for (int i = 0; i < COUNT; i++) {
                SignedPayload p = payload(bytes(i));
                kept.add(p);
                System.out.println("payload " + i + " " + (p.cms().isDirect() ? "direct" : "heap"));
            }
            for (int i = 0; i < COUNT; i++) {
                boolean intact = Arrays.equals(kept.get(i).cmsBytes(), bytes(i)) && kept.get(i).size() == SIZE;
                System.out.println("bytes " + i + (intact ? " intact" : " differ"));
            }
        }

        /** The i-th payload's bytes: all {@code i + 1}, so that no two payloads' bytes are alike. */
        private static byte[] bytes(int i) {
            byte[] cms = new byte[SIZE];
            Arrays.fill(cms, (byte) (i + 1));
            return cms;
        }
    }
}
