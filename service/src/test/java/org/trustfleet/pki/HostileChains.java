package org.trustfleet.pki;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Chains a hostile server can present to make path building expensive: one leaf followed by many certificates that
 * all carry the leaf's issuer name, each with its own key. Generated in code, shared by {@code PathBuilderLimitsTest}
 * and the {@code bench/hostile-chain} measurement so both judge the same shapes.
 */
public final class HostileChains {

    /** The host every leaf names. */
    public static final String HOST = "hostile.example.test";

    /** The shapes; every one presents {@code size} same-named CA certificates after the leaf. */
    public enum Shape {
        /** The same-named certificates are issued by a root nobody trusts: there is no path. */
        UNREACHABLE,
        /** The same-named certificates are self-signed: every candidate ends the search, there is no path. */
        SELF_ISSUED,
        /** One of them really chains to the anchor; the others are signed by an impostor using the anchor's name. */
        DECOYS_TO_ANCHOR
    }

    /** A presented chain (leaf first) and the device's anchors. */
    public record Hostile(Shape shape, List<X509Certificate> presented, List<X509Certificate> anchors) {
    }

    private HostileChains() {
    }

    /** Builds {@code shape} with {@code size} same-named certificates; the leaf's real issuer is sent last. */
    public static Hostile build(Shape shape, int size) {
        TestPki.Cert anchor = TestPki.root("Hostile Anchor Root");
        TestPki.Cert other = TestPki.root("Unrelated Root");
        TestPki.Cert untrusted = TestPki.root("Hostile Untrusted Root");
        TestPki.Cert impostor = TestPki.root("Hostile Anchor Root"); // the anchor's name, another key
        List<TestPki.Cert> sameNamed = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            boolean real = i == size - 1;
            TestPki.Cert ca = switch (shape) {
                case UNREACHABLE -> untrusted.issueIntermediate("Hostile CA");
                case SELF_ISSUED -> TestPki.root("Hostile CA");
                case DECOYS_TO_ANCHOR -> (real ? anchor : impostor).issueIntermediate("Hostile CA");
            };
            sameNamed.add(ca);
        }
        TestPki.Cert leaf = sameNamed.get(size - 1).issueLeaf(HOST);
        List<X509Certificate> presented = new ArrayList<>();
        presented.add(leaf.cert());
        sameNamed.forEach(c -> presented.add(c.cert()));
        return new Hostile(shape, List.copyOf(presented), List.of(anchor.cert(), other.cert()));
    }
}
