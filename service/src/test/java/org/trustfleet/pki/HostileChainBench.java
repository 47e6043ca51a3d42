package org.trustfleet.pki;

import java.time.Instant;
import java.util.Locale;

/**
 * Wall time of one Android validation of each {@link HostileChains} shape, next to Conscrypt's TrustManagerImpl on
 * the same chain in the same JVM (run by {@code bench/hostile-chain/run.sh}; no JMH: warm-up, then the mean of
 * {@code rounds} calls). Prints one line per shape with both verdicts, which must agree.
 */
public final class HostileChainBench {

    private HostileChainBench() {
    }

    public static void main(String[] args) {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        AndroidValidator validator = AndroidValidator.create();
        Instant now = Instant.now();
        for (HostileChains.Shape shape : HostileChains.Shape.values()) {
            HostileChains.Hostile h = HostileChains.build(shape, size);
            boolean ours = false;
            boolean conscrypt = false;
            for (int i = 0; i < Math.max(5, rounds / 5); i++) { // warm-up
                ours = validator.validate(h.presented(), h.anchors(), HostileChains.HOST, now).trusted();
                conscrypt = ConscryptOracle.accepts(h.presented(), h.anchors(), HostileChains.HOST);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                validator.validate(h.presented(), h.anchors(), HostileChains.HOST, now);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                ConscryptOracle.accepts(h.presented(), h.anchors(), HostileChains.HOST);
            }
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "%-17s size=%d trustfleet=%.2f ms conscrypt=%.2f ms verdicts=%s/%s%n",
                    shape, size, (t1 - t0) / 1e6 / rounds, (t2 - t1) / 1e6 / rounds, ours, conscrypt);
        }
    }
}
