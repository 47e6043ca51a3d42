package org.trustfleet.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.pki.TestPki.certs;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The server-side fix: the proposed chain, and each level's verdict on it checked against Conscrypt's TrustManagerImpl.
 */
class ServerChainAdvisorTest {

    // R2 is a new root only newer stores hold; R1 an old root every store from API 23 holds; R1 cross-signed R2.
    static final TestPki.Cert R1 = TestPki.root("Advisor Old Root R1");
    static final TestPki.Cert R2 = TestPki.root("Advisor New Root R2");
    static final TestPki.Cert R2_BY_R1 = R2.crossSignedBy(R1);
    static final TestPki.Cert INT = R2.issueIntermediate("Advisor Issuing CA");
    static final TestPki.Cert LEAF = INT.issueLeaf("login.advisor.test");
    static final TestPki.Cert OTHER = TestPki.root("Advisor Unrelated Root");

    private static final String HOST = "login.advisor.test";
    private final ServerChainAdvisor advisor = ServerChainAdvisor.create();

    /** API 21-22: neither root; 23-25: R1 only; 26-28: both roots. */
    static StoreIndex stores() {
        Map<Integer, List<X509Certificate>> byLevel = new TreeMap<>();
        for (int level = 21; level <= 28; level++) {
            byLevel.put(level, level < 23 ? certs(OTHER) : level < 26 ? certs(OTHER, R1) : certs(OTHER, R1, R2));
        }
        return StoreIndex.of(byLevel);
    }

    @Test
    void crossSignedRootMakesOlderLevelsAcceptAndConscryptAgreesAtEveryLevel() {
        StoreIndex stores = stores();
        List<X509Certificate> presented = certs(LEAF, INT);
        ServerFix fix = advisor.advise(presented, certs(R2_BY_R1, R1), stores, null, HOST, Instant.now());

        assertThat(fix.chainSha256()).containsExactly(LEAF.sha256(), INT.sha256(), R2_BY_R1.sha256());
        assertThat(fix.chain()).containsExactly(LEAF.cert(), INT.cert(), R2_BY_R1.cert());
        assertThat(fix.changesPresented()).isTrue();
        assertThat(fix.levelsNotFixed()).containsExactly(21, 22);
        assertThat(fix.levelsFixed()).containsExactly(23, 24, 25);
        assertThat(fix.perLevel().keySet()).containsExactly(21, 22, 23, 24, 25, 26, 27, 28);
        for (int level : stores.apiLevels()) {
            ServerFix.LevelVerdict verdict = fix.perLevel().get(level);
            // the verdict on the proposed chain and on today's chain is Conscrypt's verdict, level by level
            assertThat(verdict.trusted()).as("API %d proposed", level)
                    .isEqualTo(ConscryptOracle.accepts(fix.chain(), stores.store(level), HOST));
            assertThat(verdict.trustedAsPresented()).as("API %d presented", level)
                    .isEqualTo(ConscryptOracle.accepts(presented, stores.store(level), HOST));
            assertThat(verdict.trusted()).as("API %d", level).isEqualTo(level >= 23);
            assertThat(verdict.reasonOrNull() == null).isEqualTo(verdict.trusted());
        }
        // Conscrypt rejects leaf + intermediate where only the cross-sign bridges to the store
        assertThat(ConscryptOracle.reject(presented, stores.store(23))).isNotNull();
    }

    @Test
    void withoutTheCrossSignOnlyTheNewerLevelsAreFixed() {
        ServerFix fix = advisor.advise(certs(LEAF, INT), List.of(), stores(), null, HOST, Instant.now());

        assertThat(fix.chainSha256()).containsExactly(LEAF.sha256(), INT.sha256());
        assertThat(fix.changesPresented()).isFalse();
        assertThat(fix.levelsNotFixed()).containsExactly(21, 22, 23, 24, 25);
    }

    @Test
    void selectedLevelsOnlyAreJudged() {
        ServerFix fix = advisor.advise(certs(LEAF, INT), certs(R2_BY_R1), stores(), List.of(24, 27, 99), HOST,
                Instant.now());

        assertThat(fix.perLevel().keySet()).containsExactly(24, 27);
        assertThat(fix.levelsNotFixed()).isEmpty();
        assertThat(fix.chainSha256()).containsExactly(LEAF.sha256(), INT.sha256(), R2_BY_R1.sha256());
    }

    @Test
    void whenOnlyNewerLevelsAreSelectedTheShorterChainWins() {
        ServerFix fix = advisor.advise(certs(LEAF, INT), certs(R2_BY_R1), stores(), List.of(26, 27, 28), HOST,
                Instant.now());

        assertThat(fix.chainSha256()).containsExactly(LEAF.sha256(), INT.sha256());
        assertThat(fix.changesPresented()).isFalse();
    }

    @Test
    void completeChainIsProposedWithoutItsRoot() {
        StoreIndex stores = stores();
        ServerFix fix = advisor.advise(certs(LEAF, INT, R2), List.of(), stores, List.of(26, 27, 28), HOST,
                Instant.now());

        assertThat(fix.chainSha256()).containsExactly(LEAF.sha256(), INT.sha256());
        assertThat(fix.changesPresented()).isFalse();
        assertThat(fix.levelsNotFixed()).isEmpty();
        assertThat(fix.perLevel().values()).allMatch(v -> v.trusted() && v.trustedAsPresented());
    }

    @Test
    void missingIntermediateIsAdded() {
        StoreIndex stores = stores();
        ServerFix fix = advisor.advise(certs(LEAF), certs(INT), stores, List.of(26, 27, 28), HOST, Instant.now());

        assertThat(fix.chainSha256()).containsExactly(LEAF.sha256(), INT.sha256());
        assertThat(fix.changesPresented()).isTrue();
        assertThat(fix.levelsNotFixed()).isEmpty();
        assertThat(fix.levelsFixed()).containsExactly(26, 27, 28);
        for (int level : List.of(26, 27, 28)) {
            assertThat(ConscryptOracle.accepts(fix.chain(), stores.store(level), HOST)).isTrue();
            assertThat(ConscryptOracle.accepts(certs(LEAF), stores.store(level), HOST)).isFalse();
        }
    }

    @Test
    void junkAndOrderAreCleanedUp() {
        ServerFix fix = advisor.advise(certs(LEAF, OTHER, INT), List.of(), stores(), List.of(26), HOST,
                Instant.now());

        assertThat(fix.chainSha256()).containsExactly(LEAF.sha256(), INT.sha256());
        assertThat(fix.changesPresented()).isTrue();
    }

    @Test
    void wrongOrderIsPutRight() {
        TestPki.Cert inner = INT.issueIntermediate("Advisor Inner CA");
        TestPki.Cert leaf = inner.issueLeaf(HOST);
        ServerFix fix = advisor.advise(certs(leaf, INT, inner), List.of(), stores(), List.of(26), HOST,
                Instant.now());

        assertThat(fix.chainSha256()).containsExactly(leaf.sha256(), inner.sha256(), INT.sha256());
        assertThat(fix.changesPresented()).isTrue();
        assertThat(fix.levelsNotFixed()).isEmpty();
    }

    @Test
    void hostnameMismatchIsNotFixedByAnyChain() {
        ServerFix fix = advisor.advise(certs(LEAF, INT), certs(R2_BY_R1), stores(), null, "other.advisor.test",
                Instant.now());

        assertThat(fix.levelsNotFixed()).containsExactly(21, 22, 23, 24, 25, 26, 27, 28);
        assertThat(fix.perLevel().get(26).reasonOrNull()).startsWith("HOSTNAME_MISMATCH");
    }

    @Test
    void aMeshOfCrossSignsEndsWithABoundedAnswer() {
        // every CA cross-signed by every other: paths branch at each step; the answer still comes, verified
        List<TestPki.Cert> cas = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            cas.add(TestPki.root("Advisor Mesh " + i));
        }
        List<X509Certificate> known = new java.util.ArrayList<>();
        for (TestPki.Cert a : cas) {
            for (TestPki.Cert b : cas) {
                if (a != b) {
                    known.add(a.crossSignedBy(b).cert());
                }
            }
        }
        TestPki.Cert leaf = cas.get(0).issueLeaf("mesh.advisor.test");
        StoreIndex stores = StoreIndex.of(Map.of(30, certs(cas.get(5))));

        ServerFix fix = advisor.advise(certs(leaf), known, stores, null, "mesh.advisor.test", Instant.now());

        assertThat(fix.levelsNotFixed()).isEmpty();
        assertThat(ConscryptOracle.accepts(fix.chain(), stores.store(30), "mesh.advisor.test")).isTrue();
        // the shortest accepted chain: the leaf and CA 0 cross-signed by CA 5
        assertThat(fix.chain()).hasSize(2);
    }

    @Test
    void crossSignLoopsTerminate() {
        TestPki.Cert a = TestPki.root("Advisor Loop A");
        TestPki.Cert b = TestPki.root("Advisor Loop B");
        TestPki.Cert leaf = a.issueLeaf("loop.advisor.test");
        StoreIndex stores = StoreIndex.of(Map.of(30, certs(b)));
        TestPki.Cert aByB = a.crossSignedBy(b);
        ServerFix fix = advisor.advise(certs(leaf), certs(aByB, b.crossSignedBy(a)), stores, null,
                "loop.advisor.test", Instant.now());

        assertThat(fix.chainSha256()).containsExactly(leaf.sha256(), aByB.sha256());
        assertThat(fix.levelsNotFixed()).isEmpty();
        assertThat(ConscryptOracle.accepts(fix.chain(), stores.store(30), "loop.advisor.test")).isTrue();
    }

    /** Presented chains and known certificates the table tests below run over: each case of this class. */
    static List<Case> cases() {
        TestPki.Cert inner = INT.issueIntermediate("Advisor Table Inner CA");
        TestPki.Cert innerLeaf = inner.issueLeaf(HOST);
        return List.of(
                new Case("leaf and intermediate, cross-sign known", certs(LEAF, INT), certs(R2_BY_R1, R1), HOST),
                new Case("leaf and intermediate, nothing known", certs(LEAF, INT), List.of(), HOST),
                new Case("complete chain with its root", certs(LEAF, INT, R2), List.of(), HOST),
                new Case("leaf alone, intermediate known", certs(LEAF), certs(INT), HOST),
                new Case("junk in between", certs(LEAF, OTHER, INT), List.of(), HOST),
                new Case("wrong order", certs(innerLeaf, INT, inner), certs(R2_BY_R1), HOST),
                new Case("name mismatch", certs(LEAF, INT), certs(R2_BY_R1), "other.advisor.test"),
                new Case("no name checked", certs(LEAF), certs(INT, R2_BY_R1), null));
    }

    record Case(String name, List<X509Certificate> presented, List<X509Certificate> known, String host) {
    }

    /**
     * One assessment, chosen from for every level range (as each group of a tenant does): each choice is judged per
     * level as Conscrypt judges it, and no other chain it could have chosen is accepted by more levels of the range.
     */
    @Test
    void oneAssessmentAnswersEveryLevelRangeWithTheChainMostOfItsLevelsAccept() {
        StoreIndex stores = stores();
        Instant now = Instant.now();
        Map<String, Boolean> conscrypt = new java.util.HashMap<>();
        for (Case c : cases()) {
            ServerChainOptions options = advisor.assess(c.presented(), c.known(), stores, c.host(), now);
            assertThat(options.apiLevels()).containsExactlyElementsOf(stores.apiLevels());
            java.util.Set<List<String>> chosen = new java.util.HashSet<>();
            for (int min = 21; min <= 28; min++) {
                for (int max = min; max <= 29; max++) {
                    // API 29 has no store: asked for, ignored
                    ServerFix fix = options.choose(java.util.stream.IntStream.rangeClosed(min, max).boxed().toList());
                    List<Integer> range = java.util.stream.IntStream.rangeClosed(min, Math.min(max, 28)).boxed()
                            .toList();
                    chosen.add(fix.chainSha256());
                    assertThat(fix.perLevel().keySet()).as("%s, API %d-%d", c.name(), min, max)
                            .containsExactlyElementsOf(range);
                    int accepted = 0;
                    int acceptedAsPresented = 0;
                    for (int level : range) {
                        ServerFix.LevelVerdict verdict = fix.perLevel().get(level);
                        boolean byConscrypt = conscrypt.computeIfAbsent(
                                fix.chainSha256() + "@" + level + "@" + c.host(),
                                k -> ConscryptOracle.accepts(fix.chain(), stores.store(level), c.host()));
                        assertThat(verdict.trusted()).as("%s, API %d-%d, level %d", c.name(), min, max, level)
                                .isEqualTo(byConscrypt);
                        accepted += verdict.trusted() ? 1 : 0;
                        acceptedAsPresented += verdict.trustedAsPresented() ? 1 : 0;
                    }
                    ServerFix forAll = options.choose(null);
                    int acceptedForAll = (int) range.stream().filter(l -> forAll.perLevel().get(l).trusted()).count();
                    assertThat(accepted).as("%s, API %d-%d", c.name(), min, max)
                            .isGreaterThanOrEqualTo(acceptedAsPresented)
                            .isGreaterThanOrEqualTo(acceptedForAll);
                }
            }
            if (c.name().equals("leaf and intermediate, cross-sign known")) {
                // the old levels need the cross-sign, the new ones alone are better served without it
                assertThat(chosen).containsExactlyInAnyOrder(
                        List.of(LEAF.sha256(), INT.sha256(), R2_BY_R1.sha256()), List.of(LEAF.sha256(), INT.sha256()));
            }
        }
    }

    /**
     * The policy skips the server chains of a group whose levels all trust the endpoint (its analysis says TRUSTED):
     * that holds only while FixFinder's TRUSTED and the advice's verdict on the presented chain are the same answer.
     */
    @Test
    void theVerdictOnThePresentedChainIsFixFindersTrusted() {
        StoreIndex stores = stores();
        Instant now = Instant.now();
        FixFinder finder = FixFinder.create();
        boolean sawTrusted = false;
        boolean sawUntrusted = false;
        for (Case c : cases()) {
            ServerFix fix = advisor.advise(c.presented(), c.known(), stores, null, c.host(), now);
            FixFinder.EndpointFixes found = finder.find(c.presented(), c.host(), stores, List.of(), c.known(), now);
            for (int level : stores.apiLevels()) {
                boolean trusted = found.levels().get(level).kind() == FixFinder.Kind.TRUSTED;
                assertThat(fix.perLevel().get(level).trustedAsPresented()).as("%s, API %d", c.name(), level)
                        .isEqualTo(trusted)
                        .isEqualTo(ConscryptOracle.accepts(c.presented(), stores.store(level), c.host()));
                sawTrusted |= trusted;
                sawUntrusted |= !trusted;
            }
        }
        assertThat(sawTrusted).isTrue();
        assertThat(sawUntrusted).isTrue();
    }

    /**
     * The policy hands an endpoint's fix finding and its server chain assessment one memo: sharing it must change
     * what the assessment costs, never what it advises, for any range of levels and whatever the fix finding checked
     * first (paths with installed candidates as anchors among them).
     */
    @Test
    void anAssessmentSharingTheFixFindingsMemoAdvisesAsOneWithItsOwn() {
        StoreIndex stores = stores();
        Instant now = Instant.now();
        FixFinder finder = FixFinder.create();
        List<List<Integer>> ranges = List.of(List.of(), List.of(21, 22), List.of(23, 24, 25), List.of(24, 27),
                List.of(26, 27, 28));
        for (Case c : cases()) {
            ComputationMemo shared = stores.memo();
            FixFinder.EndpointFixes found = finder.find(c.presented(), c.host(), stores, List.of(), c.known(), now,
                    shared);
            ServerChainOptions withShared = advisor.assess(c.presented(), c.known(), stores, c.host(), now, shared);
            ServerChainOptions alone = advisor.assess(c.presented(), c.known(), stores, c.host(), now);
            assertThat(found.levels()).as(c.name())
                    .isEqualTo(finder.find(c.presented(), c.host(), stores, List.of(), c.known(), now).levels());
            for (List<Integer> range : ranges) {
                assertThat(withShared.choose(range)).as("%s, levels %s", c.name(), range)
                        .isEqualTo(alone.choose(range));
            }
        }
    }
}
