package org.trustfleet.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.pki.TestPki.certs;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Path building: candidate selection, cross-signs, loops, depth, determinism. */
class PathBuilderTest {

    private final PathBuilder builder = PathBuilder.defaults();

    @Test
    void picksTheCandidateWhoseKeyVerifiesAmongSameNamedIssuers() {
        TestPki.Cert root = TestPki.root("Root");
        TestPki.Cert intOld = root.issueIntermediate("Issuing CA");
        TestPki.Cert intNew = root.issueIntermediate("Issuing CA"); // same DN, new key
        TestPki.Cert leaf = intNew.issueLeaf("a.example.test");
        // Without key identifiers only the signature can tell the two apart.
        TestPki.Cert intNoKid = root.intermediate("Issuing CA").noKeyIdentifiers().build();

        List<X509Certificate> path = builder.build(leaf.cert(), certs(intOld, intNoKid, intNew),
                Set.of(root.cert())).orElseThrow();
        assertThat(path).containsExactly(leaf.cert(), intNew.cert(), root.cert());
    }

    @Test
    void crossSignedRootYieldsOnePathPerAnchor() {
        TestPki.Cert oldRoot = TestPki.root("Old");
        TestPki.Cert newRoot = TestPki.root("New");
        TestPki.Cert cross = newRoot.crossSignedBy(oldRoot);
        TestPki.Cert ca = newRoot.issueIntermediate("CA");
        TestPki.Cert leaf = ca.issueLeaf("x.example.test");

        List<List<X509Certificate>> all = builder.allPaths(leaf.cert(), certs(ca, cross),
                Set.of(oldRoot.cert(), newRoot.cert()), 10);
        assertThat(all).containsExactly(
                certs(leaf, ca, newRoot),
                certs(leaf, ca, cross, oldRoot));
    }

    @Test
    void anyAnchorTerminatesIncludingAnInstalledIntermediate() {
        TestPki.Cert root = TestPki.root("Root");
        TestPki.Cert ca = root.issueIntermediate("CA");
        TestPki.Cert leaf = ca.issueLeaf("x.example.test");
        assertThat(builder.build(leaf.cert(), List.of(), Set.of(ca.cert()))).contains(certs(leaf, ca));
        // A presented copy matching an anchor by subject+key: the path ends at the anchor's own certificate.
        assertThat(builder.build(leaf.cert(), certs(ca), Set.of(ca.cert(), root.cert()))).contains(certs(leaf, ca));
    }

    @Test
    void leafThatIsAnAnchorIsAPathOfOne() {
        TestPki.Cert self = TestPki.rootBuilder("self.example.test").ca(false).build();
        assertThat(builder.build(self.cert(), List.of(), Set.of(self.cert()))).contains(certs(self));
    }

    @Test
    void respectsMaximumDepth() {
        TestPki.Cert root = TestPki.root("Root");
        TestPki.Cert c1 = root.issueIntermediate("C1");
        TestPki.Cert c2 = c1.issueIntermediate("C2");
        TestPki.Cert c3 = c2.issueIntermediate("C3");
        TestPki.Cert leaf = c3.issueLeaf("deep.example.test");
        List<X509Certificate> pool = certs(c1, c2, c3);
        assertThat(PathBuilder.withMaxDepth(4).build(leaf.cert(), pool, Set.of(root.cert()))).isEmpty();
        assertThat(PathBuilder.withMaxDepth(5).build(leaf.cert(), pool, Set.of(root.cert())))
                .contains(certs(leaf, c3, c2, c1, root));
    }

    @Test
    // A hang guard only: the search is bounded by its signature-check and expansion budgets, not by time, and the
    // 9 key pairs and 56 cross-signs made here can take seconds on a busy machine.
    @Timeout(180)
    void denseMeshOfCrossSignsTerminates() {
        // Eight CAs, each cross-signed by every other: 56 certificates and astronomically many simple paths.
        List<TestPki.Cert> cas = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
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
        TestPki.Cert unrelated = TestPki.root("Unrelated");
        assertThat(builder.build(leaf.cert(), pool, Set.of(unrelated.cert()))).isEmpty();
        assertThat(builder.build(leaf.cert(), pool, Set.of(cas.get(5).cert()))).get()
                .satisfies(p -> assertThat(p).hasSize(3));
    }

    @Test
    void resultDoesNotDependOnInputOrder() {
        TestPki.Cert rootA = TestPki.root("Root A");
        TestPki.Cert rootB = TestPki.root("Root B");
        TestPki.Cert ca = rootA.issueIntermediate("CA");
        TestPki.Cert caByB = ca.crossSignedBy(rootB);
        TestPki.Cert caByA2 = ca.crossSignedBy(rootA); // second equally short path
        TestPki.Cert leaf = ca.issueLeaf("x.example.test");
        List<X509Certificate> pool = new ArrayList<>(certs(ca, caByB, caByA2, rootA, rootB));
        List<X509Certificate> anchors = new ArrayList<>(certs(rootA, rootB));
        List<X509Certificate> first = builder.build(leaf.cert(), pool, Set.copyOf(anchors)).orElseThrow();
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(pool, random);
            Collections.shuffle(anchors, random);
            assertThat(builder.build(leaf.cert(), pool, anchors)).contains(first);
        }
        assertThat(first).hasSize(3);
    }

    @Test
    void noAnchorsOrGarbageCandidatesGiveNoPath() {
        TestPki.Cert root = TestPki.root("Root");
        TestPki.Cert leaf = root.issueLeaf("x.example.test");
        assertThat(builder.build(leaf.cert(), null, null)).isEmpty();
        List<X509Certificate> withNull = new ArrayList<>();
        withNull.add(null);
        assertThat(builder.build(leaf.cert(), withNull, Set.of(root.cert()))).contains(certs(leaf, root));
    }
}
