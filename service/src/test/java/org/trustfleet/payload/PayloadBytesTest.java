package org.trustfleet.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.Sha256;

class PayloadBytesTest {

    /** {@code size} bytes, all {@code fill}: no two payloads of this test alike. */
    private static byte[] cms(int fill, int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    /** The group numbered {@code n}: the same id each time. */
    private static UUID group(int n) {
        return new UUID(0, n);
    }

    private static byte[] read(ByteBuf buf) {
        return ByteBufUtil.getBytes(buf, buf.readerIndex(), buf.readableBytes());
    }

    @Test
    void keptBytesAreServedUntilEvictedAndEachReaderHasItsOwnView() {
        PayloadBytes bytes = new PayloadBytes(1_000_000);
        byte[] signed = cms(1, 1000);
        bytes.keep(group(1), Sha256.hex(signed), signed).release();
        signed[0] = 9; // the caller's array is not what is kept

        ByteBuf first = bytes.retained(group(1), Sha256.hex(cms(1, 1000)));
        ByteBuf second = bytes.retained(group(1), Sha256.hex(cms(1, 1000)));
        first.skipBytes(10);

        assertThat(second.readerIndex()).isZero();
        assertThat(read(second)).isEqualTo(cms(1, 1000));
        assertThat(first.readableBytes()).isEqualTo(990);
        assertThat(first.isReadOnly()).isTrue();
        assertThatThrownBy(() -> second.setByte(0, 7)).isInstanceOf(java.nio.ReadOnlyBufferException.class);
        assertThat(bytes.retained(group(1), "another-etag")).isNull();
        assertThat(bytes.retained(group(2), Sha256.hex(cms(1, 1000)))).isNull();
        first.release();
        second.release();
    }

    @Test
    void theCacheHoldsAtMostItsSizeInBytesAndFreesWhatItEvicts() {
        PayloadBytes bytes = new PayloadBytes(10_000);
        List<ByteBuf> kept = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ByteBuf b = bytes.keep(group(i), "etag-" + i, cms(i, 1000));
            kept.add(b.unwrap() == null ? b : b.unwrap());
            b.release();
        }

        assertThat(bytes.keptBytes()).isLessThanOrEqualTo(10_000).isGreaterThan(0);
        long live = kept.stream().filter(b -> b.refCnt() > 0).count();
        assertThat(live).as("what is still held is what the cache keeps").isEqualTo(bytes.keptBytes() / 1000);
        for (int i = 0; i < 40; i++) {
            ByteBuf b = bytes.retained(group(i), "etag-" + i);
            if (b != null) {
                assertThat(read(b)).isEqualTo(cms(i, 1000));
                b.release();
            }
        }
    }

    @Test
    void aResponseStillWritingEvictedBytesKeepsThemUntilItReleasesThem() {
        PayloadBytes bytes = new PayloadBytes(999); // 1,000 bytes do not fit: evicted as soon as kept
        ByteBuf writing = bytes.keep(group(1), "first", cms(1, 1000));
        ByteBuf memory = writing.unwrap();

        assertThat(bytes.retained(group(1), "first")).isNull();
        assertThat(memory.refCnt()).as("the cache's reference is gone, the response's is not").isEqualTo(1);
        assertThat(read(writing)).isEqualTo(cms(1, 1000));
        writing.release();
        assertThat(memory.refCnt()).as("freed once the last reader is done").isZero();
    }

    @Test
    void aCacheOfNoSizeKeepsNothingButStillAnswersWithTheBytes() {
        PayloadBytes bytes = new PayloadBytes(0);
        ByteBuf b = bytes.keep(group(5), "e", cms(5, 100));

        assertThat(read(b)).isEqualTo(cms(5, 100));
        assertThat(bytes.retained(group(5), "e")).isNull();
        assertThat(bytes.keptBytes()).isZero();
        b.release();
        assertThat(b.refCnt()).isZero();
    }

    @Test
    void theSameBytesKeptTwiceAreKeptOnce() {
        PayloadBytes bytes = new PayloadBytes(1_000_000);
        ByteBuf a = bytes.keep(group(3), "same", cms(3, 500));
        ByteBuf b = bytes.keep(group(3), "same", cms(3, 500));

        assertThat(bytes.keptBytes()).isEqualTo(500);
        assertThat(read(a)).isEqualTo(read(b));
        a.release();
        b.release();
        ByteBuf again = bytes.retained(group(3), "same");
        assertThat(again).as("the cache's own reference outlives the readers'").isNotNull();
        again.release();
    }

    /**
     * A group's new payload takes the place of its previous one's bytes, in a cache full of bytes read often: the
     * previous bytes are freed at once (no fetch asks for them any more), the new ones are served from the first keep,
     * and the other groups' bytes stay.
     */
    @Test
    void aGroupsNewPayloadReplacesItsPreviousBytesInPlace() {
        PayloadBytes bytes = new PayloadBytes(10_000); // ten payloads of 1,000 bytes
        List<ByteBuf> previous = new ArrayList<>();
        for (int g = 0; g < 10; g++) {
            ByteBuf b = bytes.keep(group(g), "old-" + g, cms(g, 1000));
            previous.add(b.unwrap() == null ? b : b.unwrap());
            b.release();
        }
        for (int read = 0; read < 5; read++) {
            for (int g = 0; g < 10; g++) {
                bytes.retained(group(g), "old-" + g).release();
            }
        }

        for (int g = 0; g < 10; g++) {
            bytes.keep(group(g), "new-" + g, cms(100 + g, 1000)).release();
        }

        for (int g = 0; g < 10; g++) {
            assertThat(bytes.retained(group(g), "old-" + g)).as("group %d's previous payload", g).isNull();
            assertThat(previous.get(g).refCnt()).as("group %d's previous bytes freed", g).isZero();
            ByteBuf current = bytes.retained(group(g), "new-" + g);
            assertThat(current).as("group %d's new payload", g).isNotNull();
            assertThat(read(current)).isEqualTo(cms(100 + g, 1000));
            current.release();
        }
        assertThat(bytes.keptBytes()).isEqualTo(10_000);
    }

    /**
     * Readers and an evicting writer at once: every reader either finds the bytes (and reads them intact, whatever
     * is evicted meanwhile) or finds none; none reads freed memory or fails.
     */
    @Test
    void readersRacingEvictionsReadIntactBytesOrNone() throws Exception {
        PayloadBytes bytes = new PayloadBytes(4_000);
        AtomicInteger intact = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> running = new ArrayList<>();
            running.add(pool.submit(() -> {
                for (int i = 0; i < 20_000; i++) {
                    bytes.keep(group(i % 50), "etag-" + (i % 50), cms(i % 50, 1000)).release();
                }
            }));
            for (int t = 0; t < 3; t++) {
                running.add(pool.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        int k = i % 50;
                        ByteBuf b = bytes.retained(group(k), "etag-" + k);
                        if (b != null) {
                            if (!Arrays.equals(read(b), cms(k, 1000))) {
                                throw new AssertionError("bytes of etag-" + k + " changed while held");
                            }
                            intact.incrementAndGet();
                            b.release();
                        }
                    }
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(intact.get()).isPositive();
        assertThat(bytes.keptBytes()).isLessThanOrEqualTo(4_000);
    }

    /**
     * In a JVM whose memory outside the heap is limited to 64 KB, bytes of 24 KB each, all held by responses: the
     * first ones outside the heap, the rest on the heap once the limit is reached, every one intact; the operator is
     * told once.
     */
    @Test
    void beyondTheDirectMemoryLimitBytesAreServedFromTheHeap() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process probe = new ProcessBuilder(java, "-XX:MaxDirectMemorySize=64k", "-cp",
                System.getProperty("java.class.path"), DirectLimitProbe.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(probe.waitFor()).as(out).isZero();
        List<String> kinds = out.lines().filter(l -> l.startsWith("payload ")).map(l -> l.split(" ")[2]).toList();
        assertThat(kinds).as(out).hasSize(DirectLimitProbe.COUNT).startsWith("direct").endsWith("heap");
        assertThat(out.lines().filter(l -> l.startsWith("bytes ")).toList()).as(out)
                .hasSize(DirectLimitProbe.COUNT).allMatch(l -> l.endsWith(" intact"));
        assertThat(out.split("limit on direct memory is reached", -1)).as(out).hasSize(2);
    }

    /** Run in a JVM of its own by the test above: keeps bytes and holds them, then reads each back. */
    static final class DirectLimitProbe {
        static final int COUNT = 6;
        private static final int SIZE = 24 * 1024;

        public static void main(String[] args) {
            PayloadBytes bytes = new PayloadBytes(10_000_000);
            List<ByteBuf> held = new ArrayList<>();
            for (int i = 0; i < COUNT; i++) {
                ByteBuf b = bytes.keep(group(i), "etag-" + i, cms(i + 1, SIZE));
                held.add(b);
                System.out.println("payload " + i + " " + (b.isDirect() ? "direct" : "heap"));
            }
            for (int i = 0; i < COUNT; i++) {
                boolean intact = Arrays.equals(read(held.get(i)), cms(i + 1, SIZE));
                System.out.println("bytes " + i + (intact ? " intact" : " differ"));
            }
        }
    }
}
