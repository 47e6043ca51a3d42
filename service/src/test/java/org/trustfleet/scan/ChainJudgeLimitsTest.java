package org.trustfleet.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.ConscryptOracle;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.FindingCode;
import org.trustfleet.pki.HostileChains;
import org.trustfleet.pki.TestPki;
import org.trustfleet.truststore.TestStores;

/**
 * A scan of a chain that exhausts path building's cap says so with PATH_BUILDING_LIMIT; a hostile chain within the cap
 * does not.
 */
class ChainJudgeLimitsTest {

    private final ChainJudge judge = new ChainJudge(Optional.empty());

    @Test
    void aDenseMeshOfCrossSignsHitsTheCapAndTheScanSaysSo() {
        // eight CAs cross-signed by every other: 56 same-named candidates per name, hundreds of signatures to try
        List<TestPki.Cert> cas = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            cas.add(TestPki.root("Mesh " + i));
        }
        List<X509Certificate> presented = new ArrayList<>();
        presented.add(cas.get(0).issueLeaf("mesh.example.test").cert());
        for (TestPki.Cert a : cas) {
            for (TestPki.Cert b : cas) {
                if (a != b) {
                    presented.add(a.crossSignedBy(b).cert());
                }
            }
        }
        List<X509Certificate> store = List.of(cas.get(5).cert());
        ChainEvaluation evaluation = judge.evaluate(presented, "mesh.example.test",
                TestStores.snapshot(Map.of(30, store)), List.of(), subject -> List.of(), Instant.now());

        assertThat(evaluation.findings()).extracting(Finding::code).contains(FindingCode.PATH_BUILDING_LIMIT);
        // the verdict is still Conscrypt's: the short path is found before the cap
        assertThat(evaluation.perApiLevel()).singleElement().satisfies(v -> assertThat(v.trusted())
                .isEqualTo(ConscryptOracle.accepts(presented, store, "mesh.example.test")).isTrue());
    }

    @Test
    void aHundredSameNamedCertificatesStayWithinTheCap() {
        HostileChains.Hostile h = HostileChains.build(HostileChains.Shape.UNREACHABLE, 100);
        ChainEvaluation evaluation = judge.evaluate(h.presented(), HostileChains.HOST,
                TestStores.snapshot(Map.of(30, h.anchors())), List.of(), subject -> List.of(), Instant.now());
        assertThat(evaluation.findings()).extracting(Finding::code).doesNotContain(FindingCode.PATH_BUILDING_LIMIT);
        assertThat(evaluation.perApiLevel()).singleElement().satisfies(v -> assertThat(v.trusted()).isFalse());
    }
}
