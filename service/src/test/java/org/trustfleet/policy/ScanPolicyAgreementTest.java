package org.trustfleet.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.pki.TestPki.certs;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.FindingCode;
import org.trustfleet.pki.Sha256;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.scan.ApiLevelVerdict;
import org.trustfleet.scan.ChainEvaluation;
import org.trustfleet.scan.ChainJudge;
import org.trustfleet.truststore.StoreSnapshot;
import org.trustfleet.truststore.TestStores;

/**
 * The scan and the policy engine give one answer to "which certificates would make API level L accept this endpoint":
 * every scenario of the scan and engine suites is run through the scan's evaluation and, as {@link RequirementsService}
 * feeds it (the scan's completed path as extra candidates), through the engine; per level, the scan's verdict and
 * {@code missing} list equal what a one-level group of that endpoint is delivered.
 */
class ScanPolicyAgreementTest {

    static final String HOST = "sts.contoso.test";
    static final List<Integer> LEVELS = List.of(21, 23, 24, 25, 33, 34);
    static final Cert OLD_ROOT = TestPki.root("Agreement Old Root");
    static final Cert NEW_ROOT = TestPki.root("Agreement New Root");
    static final PolicyEngine ENGINE = PolicyEngine.create();
    static final ChainJudge SCAN = new ChainJudge(Optional.empty());

    /**
     * One scenario: the stores per level, what the server presents, and what the scanner knows besides.
     *
     * @param known CA certificates known from earlier scans (stand in for AIA too: both only complete the path)
     */
    record Scenario(String name, Map<Integer, List<X509Certificate>> stores, List<X509Certificate> presented,
            String host, List<X509Certificate> tenantAnchors, List<X509Certificate> known) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Old root on every level, new root from 25 (as the scan scenarios' levels 90/91). */
    static Map<Integer, List<X509Certificate>> eras() {
        Map<Integer, List<X509Certificate>> stores = new TreeMap<>();
        for (int level : LEVELS) {
            stores.put(level, level >= 25 ? certs(OLD_ROOT, NEW_ROOT) : certs(OLD_ROOT));
        }
        return stores;
    }

    /** The old root only from 25, the new root nowhere. */
    static Map<Integer, List<X509Certificate>> late() {
        Map<Integer, List<X509Certificate>> stores = new TreeMap<>();
        for (int level : LEVELS) {
            stores.put(level, level >= 25 ? certs(OLD_ROOT) : List.of());
        }
        return stores;
    }

    static Scenario scenario(String name, Map<Integer, List<X509Certificate>> stores, List<X509Certificate> presented,
            List<X509Certificate> tenantAnchors, List<X509Certificate> known) {
        return new Scenario(name, stores, presented, HOST, tenantAnchors, known);
    }

    static Stream<Scenario> scenarios() {
        Cert complete = OLD_ROOT.issueIntermediate("Complete CA");
        Cert unpublished = OLD_ROOT.issueIntermediate("Unpublished CA");
        Cert privateRoot = TestPki.root("Contoso Private Root");
        Cert privateCa = privateRoot.issueIntermediate("Contoso Issuing CA");
        Cert newEra = NEW_ROOT.issueIntermediate("New Root Issuing CA");
        Cert cross = NEW_ROOT.crossSignedBy(OLD_ROOT);
        Cert crossEra = NEW_ROOT.issueIntermediate("Cross Era CA");
        Cert expired = OLD_ROOT.intermediate("Expired CA").expired().build();
        Cert upper = OLD_ROOT.issueIntermediate("Upper CA");
        Cert lower = upper.issueIntermediate("Lower CA");
        Cert noSign = OLD_ROOT.intermediate("No keyCertSign CA").withoutKeyCertSign().build();
        Cert selfSigned = TestPki.rootBuilder(HOST).build();
        return Stream.of(
                scenario("complete chain, root only from 25", late(),
                        certs(complete.issueLeaf(HOST), complete), List.of(), List.of()),
                scenario("complete chain, root everywhere", eras(),
                        certs(complete.issueLeaf(HOST), complete), List.of(), List.of()),
                scenario("leaf only, intermediate known from earlier scans", eras(),
                        certs(unpublished.issueLeaf(HOST)), List.of(), certs(unpublished)),
                scenario("leaf only, intermediate known, root only from 25", late(),
                        certs(unpublished.issueLeaf(HOST)), List.of(), certs(unpublished)),
                scenario("leaf only, intermediate unknown", eras(),
                        certs(unpublished.issueLeaf(HOST)), List.of(), List.of()),
                scenario("private root through the tenant anchor", eras(),
                        certs(privateCa.issueLeaf(HOST), privateCa), certs(privateRoot), List.of()),
                scenario("private intermediate anchor not sent", eras(),
                        certs(privateCa.issueLeaf(HOST)), certs(privateCa), List.of()),
                scenario("root present only from a given level", eras(),
                        certs(newEra.issueLeaf(HOST), newEra), List.of(), List.of()),
                scenario("cross-signed new root", eras(),
                        certs(crossEra.issueLeaf(HOST), crossEra, cross), List.of(), List.of()),
                scenario("cross-signed new root, old root only from 25", late(),
                        certs(crossEra.issueLeaf(HOST), crossEra, cross), List.of(), List.of()),
                scenario("expired intermediate", eras(),
                        certs(expired.issueLeaf(HOST), expired), List.of(), List.of()),
                scenario("expired intermediate, root only from 25", late(),
                        certs(expired.issueLeaf(HOST), expired), List.of(), List.of()),
                scenario("wrong order", late(),
                        certs(lower.issueLeaf(HOST), upper, lower), List.of(), List.of()),
                scenario("hostname mismatch", late(),
                        certs(complete.issueLeaf("other.contoso.test"), complete), List.of(), List.of()),
                scenario("expired leaf", late(),
                        certs(complete.leaf(HOST).expired().build(), complete), List.of(), List.of()),
                scenario("chain sends its root, root only from 25", late(),
                        certs(complete.issueLeaf(HOST), complete, OLD_ROOT), List.of(), List.of()),
                scenario("intermediate without keyCertSign", late(),
                        certs(noSign.issueLeaf(HOST), noSign), List.of(), List.of()),
                scenario("intermediate without keyCertSign, not sent but known", late(),
                        certs(noSign.issueLeaf(HOST)), List.of(), certs(noSign)),
                scenario("self-signed leaf", eras(), certs(selfSigned), List.of(), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scanMissingIsWhatTheEngineDelivers(Scenario s) {
        Instant now = Instant.now();
        StoreSnapshot snapshot = TestStores.snapshot(s.stores());
        ChainEvaluation scan = evaluate(s, snapshot, now);
        EndpointObservation observation = observationOf(s, scan);
        assertThat(scan.perApiLevel()).extracting(ApiLevelVerdict::apiLevel).containsExactlyElementsOf(LEVELS);
        for (ApiLevelVerdict verdict : scan.perApiLevel()) {
            int level = verdict.apiLevel();
            GroupSpec group = new GroupSpec(UUID.randomUUID(), level, level, ManagementMode.FULLY_MANAGED, Set.of(),
                    Set.of(), Set.of());
            Requirements r = EngineFixture.requirements(ENGINE, group, List.of(observation), snapshot.index(),
                    s.tenantAnchors(), Map.of(), now);
            List<String> delivered = r.certificates().stream().map(RequiredCertificate::sha256).toList();
            String context = s.name() + " @ API " + level + ": scan " + verdict + ", engine " + r;
            assertThat(delivered).as(context).isEqualTo(verdict.missing());
            // and the verdicts agree: trusted is neither delivered to nor unresolved; not trusted is one or the other
            assertThat(r.unresolved().isEmpty() && delivered.isEmpty()).as(context).isEqualTo(verdict.trusted());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void untrustedRootNeverNamesALevelThatTrustsTheChain(Scenario s) {
        ChainEvaluation scan = evaluate(s, TestStores.snapshot(s.stores()), Instant.now());
        for (Finding finding : scan.findings()) {
            if (finding.code() == FindingCode.UNTRUSTED_ROOT && finding.detail().contains("API levels")) {
                for (ApiLevelVerdict verdict : scan.perApiLevel()) {
                    if (verdict.trusted()) {
                        assertThat(finding.detail()).as(s.name())
                                .doesNotContainPattern("\\b" + verdict.apiLevel() + "\\b");
                    }
                }
            }
        }
    }

    @Test
    void crossSignedChainIsNotReportedUntrustedWhereTheCrossSignIsTrusted() {
        // defect: UNTRUSTED_ROOT listed the old levels, which trust the chain through the cross-sign
        Cert cross = NEW_ROOT.crossSignedBy(OLD_ROOT);
        Cert ca = NEW_ROOT.issueIntermediate("Cross Era CA");
        Scenario s = scenario("cross", eras(), certs(ca.issueLeaf(HOST), ca, cross), List.of(), List.of());
        ChainEvaluation scan = evaluate(s, TestStores.snapshot(s.stores()), Instant.now());
        assertThat(scan.perApiLevel()).allSatisfy(v -> assertThat(v.trusted()).as("API " + v.apiLevel()).isTrue());
        assertThat(scan.findings()).extracting(Finding::code).doesNotContain(FindingCode.UNTRUSTED_ROOT);

        // with the old root only from 25, levels 21-24 trust nothing: those and only those are named (22 has no store here)
        Scenario lateOld = scenario("cross late", late(), certs(ca.issueLeaf(HOST), ca, cross), List.of(),
                List.of());
        ChainEvaluation partly = evaluate(lateOld, TestStores.snapshot(lateOld.stores()), Instant.now());
        assertThat(partly.findings()).filteredOn(f -> f.code() == FindingCode.UNTRUSTED_ROOT).singleElement()
                .satisfies(f -> assertThat(f.detail()).contains("21, 23–24").doesNotContain("25").doesNotContain("33"));
    }

    private static ChainEvaluation evaluate(Scenario s, StoreSnapshot snapshot, Instant now) {
        Function<String, List<X509Certificate>> known = subject -> s.known().stream()
                .filter(c -> c.getSubjectX500Principal().getName().equals(subject)).toList();
        return SCAN.evaluate(s.presented(), s.host(), snapshot, s.tenantAnchors(), known, now);
    }

    /** As {@link RequirementsService} builds it from a stored scan: the completed path's other certificates. */
    private static EndpointObservation observationOf(Scenario s, ChainEvaluation scan) {
        List<String> presented = s.presented().stream().map(Sha256::of).toList();
        List<X509Certificate> extra = new ArrayList<>();
        for (X509Certificate c : scan.completedPath()) {
            if (!presented.contains(Sha256.of(c))) {
                extra.add(c);
            }
        }
        return EndpointObservation.ok(UUID.nameUUIDFromBytes(s.name().getBytes(StandardCharsets.UTF_8)),
                s.host(), s.presented(), extra);
    }
}
