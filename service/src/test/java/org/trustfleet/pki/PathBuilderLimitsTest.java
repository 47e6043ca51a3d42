package org.trustfleet.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bounded work on hostile chains: a leaf followed by 100 certificates with the same subject and different keys is
 * judged like Conscrypt judges it, and path building pays signatures only for candidates whose names can reach an
 * anchor; past the cap (a count, not a time) the search stops and says so.
 */
class PathBuilderLimitsTest {

    private static final int SIZE = 100;
    private final Instant now = Instant.now();

    /** Shape, Conscrypt's verdict, and the most signature verifications one build may spend on it. */
    static Stream<Arguments> shapes() {
        return Stream.of(
                // no candidate's issuer name leads to an anchor: no signature is worth verifying (it was 100)
                Arguments.of(HostileChains.Shape.UNREACHABLE, false, 0),
                // self-issued untrusted certificates end the search: none is worth verifying (it was 100)
                Arguments.of(HostileChains.Shape.SELF_ISSUED, false, 0),
                // every decoy carries the anchor's name, so each is a real candidate: one check per candidate for
                // the leaf's signature plus the anchor's signature on the real issuer
                Arguments.of(HostileChains.Shape.DECOYS_TO_ANCHOR, true, SIZE + 1));
    }

    @ParameterizedTest(name = "{0}: trusted={1}, at most {2} signature checks")
    @MethodSource("shapes")
    void hundredSameNamedCertificatesAreJudgedLikeConscryptWithinTheCap(HostileChains.Shape shape,
            boolean trusted, int maxChecks) {
        HostileChains.Hostile h = HostileChains.build(shape, SIZE);
        X509Certificate leaf = h.presented().get(0);
        List<X509Certificate> pool = h.presented().subList(1, h.presented().size());

        assertThat(ConscryptOracle.accepts(h.presented(), h.anchors(), HostileChains.HOST)).isEqualTo(trusted);
        ValidationResult verdict = AndroidValidator.create().validate(h.presented(), h.anchors(), HostileChains.HOST,
                now);
        assertThat(verdict.trusted()).isEqualTo(trusted);
        assertThat(verdict.pathLimitReached()).isFalse();
        if (!trusted) {
            assertThat(verdict.failure()).isEqualTo(ValidationFailure.NO_PATH);
        }

        PathBuilder.Result built = PathBuilder.defaults().search(leaf, pool, h.anchors(), 64);
        assertThat(built.signatureChecks()).isLessThanOrEqualTo(maxChecks);
        assertThat(built.limitReached()).isFalse();
        assertThat(built.paths()).hasSize(trusted ? 1 : 0);
        // deterministic: the same input costs the same count every time
        assertThat(PathBuilder.defaults().search(leaf, pool, h.anchors(), 64).signatureChecks())
                .isEqualTo(built.signatureChecks());
    }

    @Test
    void theCapIsACountAndItsHitIsReported() {
        HostileChains.Hostile h = HostileChains.build(HostileChains.Shape.DECOYS_TO_ANCHOR, 20);
        X509Certificate leaf = h.presented().get(0);
        List<X509Certificate> pool = h.presented().subList(1, h.presented().size());

        PathBuilder.Result capped = PathBuilder.withMaxSignatureChecks(5).search(leaf, pool, h.anchors(), 64);
        assertThat(capped.signatureChecks()).isEqualTo(5);
        assertThat(capped.limitReached()).isTrue();

        ValidationResult verdict = AndroidValidator.using(PathBuilder.withMaxSignatureChecks(5))
                .validate(h.presented(), h.anchors(), HostileChains.HOST, now);
        assertThat(verdict.pathLimitReached()).isTrue();
        // the real issuer matches the leaf's key identifier, so it is tried first and the path is still found
        assertThat(verdict.trusted()).isTrue();

        assertThat(PathBuilder.defaults().search(leaf, pool, h.anchors(), 64).limitReached()).isFalse();
    }

    @Test
    void aComputationsMemoChangesNeitherTheCountNorTheAnswer() {
        HostileChains.Hostile h = HostileChains.build(HostileChains.Shape.DECOYS_TO_ANCHOR, 20);
        X509Certificate leaf = h.presented().get(0);
        List<X509Certificate> pool = h.presented().subList(1, h.presented().size());
        ComputationMemo memo = StoreIndex.of(java.util.Map.of(30, h.anchors())).memo();

        for (PathBuilder builder : List.of(PathBuilder.withMaxSignatureChecks(5), PathBuilder.defaults())) {
            PathBuilder.Result alone = builder.search(leaf, pool, h.anchors(), 64);
            builder.search(leaf, pool, h.anchors(), 64, memo);
            // every signature this build needs is now remembered: it still counts them, so a cap cuts it where it
            // cut the build without a memo, and it finds the same paths
            PathBuilder.Result remembered = builder.search(leaf, pool, h.anchors(), 64, memo);
            assertThat(remembered.signatureChecks()).isEqualTo(alone.signatureChecks()).isPositive();
            assertThat(remembered.limitReached()).isEqualTo(alone.limitReached());
            assertThat(remembered.paths()).isEqualTo(alone.paths());
        }
        assertThat(PathBuilder.withMaxSignatureChecks(5).search(leaf, pool, h.anchors(), 64, memo).limitReached())
                .isTrue();

        // verdicts too: a path judged once in the computation is the same verdict the second time, and the same as
        // without a memo, trusted or not
        AndroidValidator validator = AndroidValidator.create();
        for (List<X509Certificate> anchors : List.of(h.anchors(), List.<X509Certificate>of())) {
            ValidationResult alone = validator.validate(h.presented(), anchors, HostileChains.HOST, now);
            assertThat(validator.validate(h.presented(), anchors, HostileChains.HOST, now, memo)).isEqualTo(alone);
            assertThat(validator.validate(h.presented(), anchors, HostileChains.HOST, now, memo)).isEqualTo(alone);
        }
    }

    @Test
    void pruningKeepsEveryPathOfACrossSignedMesh() {
        // four CAs cross-signed by each other: every candidate reaches the anchor by name, none is pruned wrongly
        List<TestPki.Cert> cas = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            cas.add(TestPki.root("Mesh " + i));
        }
        List<X509Certificate> pool = new ArrayList<>();
        for (TestPki.Cert a : cas) {
            for (TestPki.Cert b : cas) {
                if (a != b) {
                    pool.add(a.crossSignedBy(b).cert());
                }
            }
        }
        TestPki.Cert leaf = cas.get(0).issueLeaf("mesh.example.test");
        List<X509Certificate> anchors = List.of(cas.get(3).cert());
        PathBuilder.Result result = PathBuilder.defaults().search(leaf.cert(), pool, anchors, 1_000);
        assertThat(result.limitReached()).isFalse();
        // every simple path leaf -> Mesh 0 (by k) -> ... -> Mesh 3: 1 direct + 2 via one CA + 2 via two CAs... all
        // end at the anchor and each is verified
        assertThat(result.paths()).isNotEmpty().allSatisfy(p -> assertThat(p.get(p.size() - 1))
                .isEqualTo(cas.get(3).cert()));
        assertThat(result.paths().get(0)).hasSize(3);
        List<X509Certificate> presented = new ArrayList<>();
        presented.add(leaf.cert());
        presented.addAll(pool);
        assertThat(AndroidValidator.create().validate(presented, anchors, "mesh.example.test", Instant.now())
                .trusted()).isEqualTo(ConscryptOracle.accepts(presented, anchors, "mesh.example.test")).isTrue();
    }
}
