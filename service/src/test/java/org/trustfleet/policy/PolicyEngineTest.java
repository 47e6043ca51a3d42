package org.trustfleet.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.pki.TestPki.certs;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.trustfleet.pki.ServerChainOptions;
import org.trustfleet.pki.ServerFix;
import org.trustfleet.pki.StoreIndex;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;

/** Table-driven engine cases; every reason, unresolved and advice code is exercised by at least one case. */
class PolicyEngineTest {

    static final PolicyEngine ENGINE = PolicyEngine.create();
    static final List<Integer> LEVELS = List.of(21, 23, 24, 25, 33, 34);
    static final Set<ReasonCode> REASONS_SEEN = Collections.synchronizedSet(EnumSet.noneOf(ReasonCode.class));
    static final Set<UnresolvedCode> UNRESOLVED_SEEN =
            Collections.synchronizedSet(EnumSet.noneOf(UnresolvedCode.class));
    static final Set<AdviceCode> ADVICE_SEEN = Collections.synchronizedSet(EnumSet.noneOf(AdviceCode.class));
    static int casesRun;

    /** A named case: builds its world, runs the engine and asserts. */
    record Case(String name, Runnable body) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Fixture: one test world (stores, tenant anchors, observations, includes) and the call. */
    static final class World {
        final Map<Integer, List<X509Certificate>> stores = new TreeMap<>();
        final List<X509Certificate> tenantAnchors = new ArrayList<>();
        final List<EndpointObservation> observations = new ArrayList<>();
        final Map<String, X509Certificate> includes = new HashMap<>();
        /** Stores the group's devices reported, by level (the group computing for OBSERVED stores). */
        final Map<Integer, List<StoreIndex.State>> observed = new TreeMap<>();
        Instant now = Instant.now();

        StoreIndex index() {
            return StoreSelection.select(StoreIndex.of(stores), StoreSource.OBSERVED, observed);
        }

        World() {
            LEVELS.forEach(l -> stores.put(l, new ArrayList<>()));
        }

        /** Puts {@code root} in the stores of levels in [from, to]. */
        World root(Cert root, int from, int to) {
            stores.forEach((l, s) -> {
                if (l >= from && l <= to) {
                    s.add(root.cert());
                }
            });
            return this;
        }

        World root(Cert root) {
            return root(root, 0, 1000);
        }

        UUID endpoint(String host, List<X509Certificate> presented, List<X509Certificate> extras) {
            UUID id = UUID.nameUUIDFromBytes(host.getBytes(StandardCharsets.UTF_8));
            observations.add(EndpointObservation.ok(id, host, presented, extras));
            return id;
        }

        UUID endpoint(String host, List<X509Certificate> presented) {
            return endpoint(host, presented, List.of());
        }

        World include(Cert c) {
            includes.put(c.sha256(), c.cert());
            return this;
        }

        Requirements run(GroupSpec group) {
            Requirements r = EngineFixture.requirements(ENGINE, group, observations, index(),
                    tenantAnchors,
                    includes, now);
            r.certificates().forEach(c -> c.reasons().forEach(x -> REASONS_SEEN.add(x.code())));
            r.unresolved().forEach(u -> UNRESOLVED_SEEN.add(u.code()));
            r.advice().forEach(a -> ADVICE_SEEN.add(a.code()));
            // stage 2 alone over stage-1 results gives the same answer
            List<EndpointFixOptions> analyses = observations.stream()
                    .map(o -> EngineFixture.analyzeAlone(ENGINE, o, index(), tenantAnchors, now))
                    .toList();
            assertThat(ENGINE.requirements(group, analyses, includes, now)).isEqualTo(r);
            return r;
        }

        Requirements run(int min, int max) {
            return run(group(min, max, ManagementMode.FULLY_MANAGED, Set.of(), Set.of()));
        }
    }

    static GroupSpec group(int min, int max, ManagementMode mode, Set<String> include, Set<String> exclude) {
        return new GroupSpec(UUID.randomUUID(), min, max, mode, Set.of(), include, exclude);
    }

    static Reason reason(UUID endpoint, ReasonCode code, Integer... levels) {
        return new Reason(endpoint, List.of(levels), code);
    }

    static RequiredCertificate only(Requirements r) {
        assertThat(r.certificates()).hasSize(1);
        return r.certificates().get(0);
    }

    static List<AdviceCode> adviceCodes(Requirements r) {
        return r.advice().stream().map(Advice::code).toList();
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("ok/complete-chain-needs-nothing", () -> {
                    Cert root = TestPki.root("Public Root");
                    Cert ca = root.issueIntermediate("Issuing CA");
                    World w = new World().root(root);
                    w.endpoint("sts.example.test", certs(ca.issueLeaf("sts.example.test"), ca));
                    Requirements r = w.run(21, 34);
                    assertThat(r.certificates()).isEmpty();
                    assertThat(r.unresolved()).isEmpty();
                    assertThat(r.advice()).isEmpty();
                }),
                new Case("ok/missing-intermediate-installs-intermediate", () -> {
                    Cert root = TestPki.root("Public Root");
                    Cert ca = root.issueIntermediate("Issuing CA");
                    World w = new World().root(root);
                    UUID e = w.endpoint("sts.example.test", certs(ca.issueLeaf("sts.example.test")), certs(ca));
                    Requirements r = w.run(21, 34);
                    RequiredCertificate c = only(r);
                    assertThat(c.sha256()).isEqualTo(ca.sha256());
                    assertThat(c.role()).isEqualTo(CertificateRole.INTERMEDIATE);
                    assertThat(c.subject()).isEqualTo("CN=Issuing CA,O=Trustfleet Test");
                    assertThat(c.reasons()).containsExactly(
                            reason(e, ReasonCode.MISSING_INTERMEDIATE, 21, 23, 24, 25, 33, 34));
                    assertThat(r.unresolved()).isEmpty();
                    assertThat(r.advice()).extracting(Advice::code, Advice::endpointId, Advice::sha256OrNull)
                            .containsExactly(
                                    org.assertj.core.groups.Tuple.tuple(AdviceCode.SEND_INTERMEDIATE, e, ca.sha256()),
                                    org.assertj.core.groups.Tuple.tuple(AdviceCode.USER_CA_OPT_IN, null, null));
                }),
                new Case("ok/new-root-only-for-old-api-levels", () -> {
                    Cert root = TestPki.root("ISRG-like Root");
                    Cert ca = root.issueIntermediate("R10");
                    World w = new World().root(root, 25, 1000);
                    UUID e = w.endpoint("login.example.test", certs(ca.issueLeaf("login.example.test"), ca));
                    Requirements r = w.run(21, 34);
                    RequiredCertificate c = only(r);
                    assertThat(c.sha256()).isEqualTo(root.sha256());
                    assertThat(c.role()).isEqualTo(CertificateRole.ROOT);
                    assertThat(c.reasons()).containsExactly(reason(e, ReasonCode.UNTRUSTED_ROOT, 21, 23, 24));
                    assertThat(adviceCodes(r)).containsExactly(AdviceCode.USER_CA_OPT_IN);
                    // a group entirely above the root's introduction needs nothing
                    assertThat(w.run(25, 34).certificates()).isEmpty();
                    // below 24 no opt-in caveat
                    assertThat(adviceCodes(w.run(21, 23))).isEmpty();
                }),
                new Case("ok/private-root-tenant-anchor", () -> {
                    Cert root = TestPki.root("Contoso Internal Root");
                    Cert ca = root.issueIntermediate("Contoso Issuing CA");
                    World w = new World();
                    w.tenantAnchors.add(root.cert());
                    UUID e = w.endpoint("adfs.contoso.test", certs(ca.issueLeaf("adfs.contoso.test"), ca));
                    Requirements r = w.run(21, 34);
                    RequiredCertificate c = only(r);
                    assertThat(c.sha256()).isEqualTo(root.sha256());
                    assertThat(c.reasons()).containsExactly(
                            reason(e, ReasonCode.PRIVATE_ANCHOR, 21, 23, 24, 25, 33, 34));
                }),
                new Case("ok/private-intermediate-tenant-anchor-not-sent", () -> {
                    Cert root = TestPki.root("Contoso Offline Root");
                    Cert ca = root.issueIntermediate("Contoso Issuing CA");
                    World w = new World();
                    w.tenantAnchors.add(ca.cert());
                    UUID e = w.endpoint("adfs.contoso.test", certs(ca.issueLeaf("adfs.contoso.test")));
                    Requirements r = w.run(21, 23);
                    RequiredCertificate c = only(r);
                    assertThat(c.sha256()).isEqualTo(ca.sha256());
                    assertThat(c.role()).isEqualTo(CertificateRole.INTERMEDIATE);
                    assertThat(c.reasons()).containsExactly(reason(e, ReasonCode.PRIVATE_ANCHOR, 21, 23));
                    assertThat(adviceCodes(r)).containsExactly(AdviceCode.SEND_INTERMEDIATE);
                }),
                new Case("ok/include-by-policy", () -> {
                    Cert root = TestPki.root("Public Root");
                    Cert ca = root.issueIntermediate("Issuing CA");
                    Cert wifi = TestPki.root("Enterprise Wi-Fi Root");
                    World w = new World().root(root).include(wifi);
                    w.endpoint("sts.example.test", certs(ca.issueLeaf("sts.example.test"), ca));
                    Requirements r = w.run(group(21, 23, ManagementMode.FULLY_MANAGED, Set.of(wifi.sha256()),
                            Set.of()));
                    RequiredCertificate c = only(r);
                    assertThat(c.sha256()).isEqualTo(wifi.sha256());
                    assertThat(c.reasons()).containsExactly(reason(null, ReasonCode.INCLUDED_BY_POLICY, 21, 23));
                    assertThat(r.advice()).isEmpty();
                }),
                new Case("ok/include-also-fixes-endpoint-nothing-else-chosen", () -> {
                    Cert root = TestPki.root("Contoso Root");
                    Cert ca = root.issueIntermediate("Contoso CA");
                    World w = new World().include(root);
                    w.tenantAnchors.add(root.cert());
                    w.tenantAnchors.add(ca.cert());
                    UUID e = w.endpoint("adfs.contoso.test", certs(ca.issueLeaf("adfs.contoso.test"), ca));
                    Requirements r = w.run(group(33, 34, ManagementMode.FULLY_MANAGED, Set.of(root.sha256()),
                            Set.of()));
                    RequiredCertificate c = only(r);
                    assertThat(c.sha256()).isEqualTo(root.sha256());
                    assertThat(c.reasons()).containsExactly(reason(null, ReasonCode.INCLUDED_BY_POLICY, 33, 34),
                            reason(e, ReasonCode.PRIVATE_ANCHOR, 33, 34));
                    // one cause (the opt-in rule), one line: not one for the endpoint and another for the include
                    assertThat(adviceCodes(r)).containsExactly(AdviceCode.USER_CA_OPT_IN);
                }),
                new Case("ok/opt-in-advice-once-for-five-endpoints", () -> {
                    // defect: a 23-34 group repeated the same USER_CA_OPT_IN line once per endpoint
                    Cert root = TestPki.root("Contoso Root");
                    World w = new World();
                    w.tenantAnchors.add(root.cert());
                    for (int i = 0; i < 5; i++) {
                        Cert ca = root.issueIntermediate("Contoso CA " + i);
                        String host = "sts" + i + ".contoso.test";
                        w.endpoint(host, certs(ca.issueLeaf(host), ca));
                    }
                    Requirements r = w.run(23, 34);
                    assertThat(only(r).sha256()).isEqualTo(root.sha256());
                    assertThat(only(r).reasons()).hasSize(5);
                    assertThat(r.advice()).extracting(Advice::code, Advice::endpointId)
                            .containsExactly(org.assertj.core.groups.Tuple.tuple(AdviceCode.USER_CA_OPT_IN, null));
                }),
                new Case("ok/shared-intermediate-across-endpoints-delivered-once", () -> {
                    Cert root = TestPki.root("Public Root");
                    Cert ca = root.issueIntermediate("Shared CA");
                    World w = new World().root(root);
                    UUID a = w.endpoint("a.example.test", certs(ca.issueLeaf("a.example.test")), certs(ca));
                    UUID b = w.endpoint("b.example.test", certs(ca.issueLeaf("b.example.test")), certs(ca));
                    Requirements r = w.run(21, 23);
                    RequiredCertificate c = only(r);
                    assertThat(c.sha256()).isEqualTo(ca.sha256());
                    List<Reason> expected = new ArrayList<>(List.of(
                            reason(a, ReasonCode.MISSING_INTERMEDIATE, 21, 23),
                            reason(b, ReasonCode.MISSING_INTERMEDIATE, 21, 23)));
                    expected.sort(java.util.Comparator.comparing(Reason::endpointId));
                    assertThat(c.reasons()).containsExactlyElementsOf(expected);
                    assertThat(r.advice()).filteredOn(x -> x.code() == AdviceCode.SEND_INTERMEDIATE).hasSize(2);
                }),
                new Case("ok/cross-signed-root", () -> {
                    Cert oldRoot = TestPki.root("Old Root");
                    Cert newRoot = TestPki.root("New Root");
                    Cert cross = newRoot.crossSignedBy(oldRoot);
                    Cert ca = newRoot.issueIntermediate("New CA");
                    World w = new World().root(oldRoot).root(newRoot, 33, 1000);
                    // the server sends the cross-certificate: old devices chain to the old root, nothing needed
                    w.endpoint("x.example.test", certs(ca.issueLeaf("x.example.test"), ca, cross));
                    assertThat(w.run(21, 34).certificates()).isEmpty();
                    // without it, old levels need the new root (preferred over the known cross-certificate)
                    World w2 = new World().root(oldRoot).root(newRoot, 33, 1000);
                    UUID e = w2.endpoint("y.example.test", certs(ca.issueLeaf("y.example.test"), ca), certs(cross));
                    RequiredCertificate c = only(w2.run(21, 34));
                    assertThat(c.sha256()).isEqualTo(newRoot.sha256());
                    assertThat(c.reasons()).containsExactly(reason(e, ReasonCode.UNTRUSTED_ROOT, 21, 23, 24, 25));
                    // with the new root excluded, the cross-certificate is the fallback
                    RequiredCertificate x = only(w2.run(group(21, 34, ManagementMode.FULLY_MANAGED, Set.of(),
                            Set.of(newRoot.sha256()))));
                    assertThat(x.sha256()).isEqualTo(cross.sha256());
                    assertThat(x.role()).isEqualTo(CertificateRole.INTERMEDIATE);
                }),
                new Case("fail/expired-leaf-unresolved", () -> {
                    Cert root = TestPki.root("Public Root");
                    Cert ca = root.issueIntermediate("Issuing CA");
                    World w = new World();
                    UUID e = w.endpoint("old.example.test", certs(ca.leaf("old.example.test").expired().build()),
                            certs(ca));
                    Requirements r = w.run(21, 23);
                    assertThat(r.certificates()).isEmpty();
                    assertThat(r.unresolved()).singleElement().satisfies(u -> {
                        assertThat(u.endpointId()).isEqualTo(e);
                        assertThat(u.code()).isEqualTo(UnresolvedCode.EXPIRED_LEAF);
                        assertThat(u.apiLevels()).containsExactly(21, 23);
                    });
                }),
                new Case("fail/not-yet-valid-leaf-unresolved", () -> {
                    Cert root = TestPki.root("Public Root");
                    Cert ca = root.issueIntermediate("Issuing CA");
                    World w = new World().root(root);
                    w.endpoint("new.example.test", certs(ca.leaf("new.example.test").notYetValid().build(), ca));
                    Requirements r = w.run(21, 34);
                    assertThat(r.certificates()).isEmpty();
                    assertThat(r.unresolved()).extracting(Unresolved::code)
                            .containsExactly(UnresolvedCode.NOT_YET_VALID_LEAF);
                }),
                new Case("fail/hostname-mismatch-unresolved", () -> {
                    Cert root = TestPki.root("Public Root");
                    Cert ca = root.issueIntermediate("Issuing CA");
                    World w = new World().root(root, 25, 1000);
                    // mismatch and an untrusted root on old levels: still nothing delivered, mismatch everywhere
                    w.endpoint("sts.example.test", certs(ca.issueLeaf("other.example.test"), ca));
                    Requirements r = w.run(21, 34);
                    assertThat(r.certificates()).isEmpty();
                    assertThat(r.unresolved()).singleElement().satisfies(u -> {
                        assertThat(u.code()).isEqualTo(UnresolvedCode.HOSTNAME_MISMATCH);
                        assertThat(u.apiLevels()).containsExactlyElementsOf(LEVELS);
                        assertThat(u.detail()).contains("sts.example.test");
                    });
                }),
                new Case("fail/unreachable-unresolved", () -> {
                    World w = new World().root(TestPki.root("Public Root"));
                    UUID e = UUID.randomUUID();
                    w.observations.add(EndpointObservation.unreachable(e, "sts.example.test", "CONNECT_TIMEOUT"));
                    Requirements r = w.run(24, 25);
                    assertThat(r.certificates()).isEmpty();
                    assertThat(r.unresolved()).containsExactly(new Unresolved(e, List.of(24, 25),
                            UnresolvedCode.ENDPOINT_UNREACHABLE, "CONNECT_TIMEOUT", null));
                }),
                new Case("fail/not-scanned-unresolved", () -> {
                    World w = new World().root(TestPki.root("Public Root"));
                    UUID scannedLater = UUID.fromString("00000000-0000-0000-0000-000000000001");
                    UUID neverSupplied = UUID.fromString("00000000-0000-0000-0000-000000000002");
                    w.observations.add(EndpointObservation.notScanned(scannedLater, "a.example.test"));
                    Requirements r = w.run(new GroupSpec(UUID.randomUUID(), 21, 23, ManagementMode.FULLY_MANAGED,
                            Set.of(scannedLater, neverSupplied), Set.of(), Set.of()));
                    assertThat(r.unresolved()).extracting(Unresolved::endpointId, Unresolved::code)
                            .containsExactly(
                                    org.assertj.core.groups.Tuple.tuple(scannedLater, UnresolvedCode.NOT_SCANNED),
                                    org.assertj.core.groups.Tuple.tuple(neverSupplied, UnresolvedCode.NOT_SCANNED));
                }),
                new Case("fail/no-path-unresolved", () -> {
                    Cert root = TestPki.root("Public Root");
                    Cert ca = root.issueIntermediate("Unknown CA");
                    World w = new World().root(root);
                    w.endpoint("sts.example.test", certs(ca.issueLeaf("sts.example.test")));
                    Requirements r = w.run(21, 34);
                    assertThat(r.certificates()).isEmpty();
                    assertThat(r.unresolved()).singleElement().satisfies(u -> {
                        assertThat(u.code()).isEqualTo(UnresolvedCode.NO_PATH);
                        assertThat(u.detail()).contains("Unknown CA");
                    });
                }),
                new Case("fail/expired-intermediate-unresolved", () -> {
                    Cert root = TestPki.root("Public Root");
                    Cert ca = root.intermediate("Expired CA").expired().build();
                    World w = new World().root(root);
                    // not sent, known only in an expired version: never delivered
                    w.endpoint("a.example.test", certs(ca.issueLeaf("a.example.test")), certs(ca));
                    // sent, but expired: the path fails above the leaf
                    w.endpoint("b.example.test", certs(ca.issueLeaf("b.example.test"), ca));
                    Requirements r = w.run(21, 23);
                    assertThat(r.certificates()).isEmpty();
                    assertThat(r.unresolved()).hasSize(2).allSatisfy(u -> {
                        assertThat(u.code()).isEqualTo(UnresolvedCode.EXPIRED_CHAIN);
                        assertThat(u.detail()).contains("Expired CA");
                    });
                }),
                new Case("fail/invalid-chain-unresolved", () -> {
                    Cert root = TestPki.root("Public Root");
                    Cert ca = root.issueIntermediate("Issuing CA");
                    World w = new World().root(root, 25, 1000);
                    w.endpoint("sha1.example.test",
                            certs(ca.leaf("sha1.example.test").signatureAlgorithm("SHA1withECDSA").build(), ca));
                    Requirements r = w.run(21, 34);
                    assertThat(r.certificates()).isEmpty();
                    assertThat(r.unresolved()).singleElement().satisfies(u -> {
                        assertThat(u.code()).isEqualTo(UnresolvedCode.INVALID_CHAIN);
                        assertThat(u.detail()).startsWith("WEAK_SIGNATURE");
                    });
                }),
                new Case("fail/excluded-needed-unresolved", () -> {
                    Cert root = TestPki.root("Public Root");
                    Cert ca = root.issueIntermediate("Issuing CA");
                    World w = new World().root(root);
                    UUID e = w.endpoint("sts.example.test", certs(ca.issueLeaf("sts.example.test")), certs(ca));
                    Requirements r = w.run(group(21, 23, ManagementMode.FULLY_MANAGED, Set.of(),
                            Set.of(ca.sha256())));
                    assertThat(r.certificates()).isEmpty();
                    assertThat(r.unresolved()).singleElement().satisfies(u -> {
                        assertThat(u.endpointId()).isEqualTo(e);
                        assertThat(u.code()).isEqualTo(UnresolvedCode.EXCLUDED_CERTIFICATE_NEEDED);
                        assertThat(u.sha256OrNull()).isEqualTo(ca.sha256());
                        assertThat(u.detail()).contains(ca.sha256());
                    });
                }),
                new Case("ok/exclude-falls-back-to-root", () -> {
                    Cert root = TestPki.root("Newer Public Root");
                    Cert ca = root.issueIntermediate("Issuing CA");
                    World w = new World().root(root, 33, 1000);
                    UUID a = w.endpoint("a.example.test", certs(ca.issueLeaf("a.example.test")), certs(ca));
                    UUID b = w.endpoint("b.example.test", certs(ca.issueLeaf("b.example.test"), ca));
                    // unconstrained: the intermediate alone fixes both endpoints (an installed CA is an anchor)
                    RequiredCertificate c = only(w.run(21, 25));
                    assertThat(c.sha256()).isEqualTo(ca.sha256());
                    // intermediate excluded: b falls back to the root, a cannot be fixed
                    Requirements r = w.run(group(21, 25, ManagementMode.FULLY_MANAGED, Set.of(),
                            Set.of(ca.sha256())));
                    RequiredCertificate fallback = only(r);
                    assertThat(fallback.sha256()).isEqualTo(root.sha256());
                    assertThat(fallback.reasons()).containsExactly(
                            reason(b, ReasonCode.UNTRUSTED_ROOT, 21, 23, 24, 25));
                    assertThat(r.unresolved()).singleElement().satisfies(u -> {
                        assertThat(u.endpointId()).isEqualTo(a);
                        assertThat(u.code()).isEqualTo(UnresolvedCode.EXCLUDED_CERTIFICATE_NEEDED);
                    });
                    // b alone prefers the root over re-installing the intermediate it already sends
                    World wb = new World().root(root, 33, 1000);
                    wb.endpoint("b.example.test", certs(ca.issueLeaf("b.example.test"), ca));
                    assertThat(only(wb.run(21, 25)).sha256()).isEqualTo(root.sha256());
                }),
                new Case("never/expired-or-leaf-not-delivered", () -> {
                    Cert root = TestPki.root("Public Root");
                    Cert ca = root.issueIntermediate("Issuing CA");
                    Cert expiredTwin = root.intermediate("Issuing CA").key(ca.keyPair()).expired().build();
                    Cert futureTwin = root.intermediate("Issuing CA").key(ca.keyPair()).notYetValid().build();
                    Cert leafTwin = root.intermediate("Issuing CA").key(ca.keyPair()).ca(false).build();
                    Cert noCertSign = root.intermediate("Issuing CA").key(ca.keyPair()).withoutKeyCertSign().build();
                    Cert expiredRoot = TestPki.rootBuilder("Expired Root").expired().build();
                    Cert someLeaf = ca.issueLeaf("leaf.example.test");
                    World w = new World().root(root);
                    w.endpoint("sts.example.test", certs(ca.issueLeaf("sts.example.test")),
                            certs(expiredTwin, futureTwin, leafTwin, noCertSign, ca));
                    w.include(expiredRoot).include(someLeaf);
                    Requirements r = w.run(group(21, 34, ManagementMode.FULLY_MANAGED,
                            Set.of(expiredRoot.sha256(), someLeaf.sha256(), "00".repeat(32)), Set.of()));
                    assertThat(r.sha256s()).containsExactly(ca.sha256());
                    assertThat(r.advice()).filteredOn(a -> a.code() == AdviceCode.INCLUDE_REFUSED)
                            .extracting(Advice::sha256OrNull)
                            .containsExactlyInAnyOrder(expiredRoot.sha256(), someLeaf.sha256(), "00".repeat(32));
                    // only the unusable twins: nothing delivered, the expired one explains why
                    World w2 = new World().root(root);
                    w2.endpoint("sts.example.test", certs(ca.issueLeaf("sts.example.test")),
                            certs(expiredTwin, leafTwin, noCertSign));
                    Requirements r2 = w2.run(21, 23);
                    assertThat(r2.certificates()).isEmpty();
                    assertThat(r2.unresolved()).singleElement().satisfies(u -> {
                        assertThat(u.code()).isEqualTo(UnresolvedCode.EXPIRED_CHAIN);
                        assertThat(u.sha256OrNull()).isEqualTo(expiredTwin.sha256());
                    });
                }),
                new Case("ok/deterministic-order", () -> {
                    Cert pub = TestPki.root("Public Root");
                    Cert newRoot = TestPki.root("New Root");
                    Cert priv = TestPki.root("Private Root");
                    Cert ca1 = pub.issueIntermediate("CA 1");
                    Cert ca2 = newRoot.issueIntermediate("CA 2");
                    Cert ca3 = priv.issueIntermediate("CA 3");
                    List<Requirements> results = new ArrayList<>();
                    for (int permutation = 0; permutation < 4; permutation++) {
                        World w = new World().root(pub).root(newRoot, 33, 1000);
                        w.tenantAnchors.add(priv.cert());
                        List<Runnable> adds = new ArrayList<>(List.of(
                                () -> w.endpoint("a.example.test", certs(ca1.issueLeaf("a.example.test")),
                                        certs(ca2, ca1, ca3)),
                                () -> w.endpoint("b.example.test", certs(ca2.issueLeaf("b.example.test"), ca2)),
                                () -> w.endpoint("c.example.test", certs(ca3.issueLeaf("c.example.test"), ca3)),
                                () -> w.endpoint("d.example.test", certs(ca3.issueLeaf("d.example.test")),
                                        certs(ca3))));
                        Collections.rotate(adds, permutation);
                        if (permutation % 2 == 1) {
                            Collections.reverse(adds);
                        }
                        adds.forEach(Runnable::run);
                        Requirements r = w.run(21, 34);
                        results.add(new Requirements(r.certificates().stream().map(c -> new RequiredCertificate(
                                c.sha256(), c.role(), c.certificate(), c.subject(), c.notAfter(),
                                c.reasons().stream().map(x -> new Reason(x.endpointId(), x.apiLevels(), x.code()))
                                        .toList())).toList(), r.unresolved(), r.advice()));
                    }
                    // leaves differ per run (fresh keys), so compare shape: everything but leaf-derived details
                    assertThat(results).allSatisfy(r -> assertThat(r.sha256s()).isEqualTo(results.get(0).sha256s()));
                    Requirements first = results.get(0);
                    assertThat(first.certificates()).extracting(RequiredCertificate::role).containsExactly(
                            CertificateRole.ROOT, CertificateRole.INTERMEDIATE, CertificateRole.INTERMEDIATE);
                    assertThat(first.certificates().get(1).sha256())
                            .isLessThan(first.certificates().get(2).sha256());
                    // ca3 (missing for d, sent by c) covers both c and d: preferred to the private root
                    assertThat(first.certificates().get(0).sha256()).isEqualTo(newRoot.sha256());
                    assertThat(first.sha256s()).containsExactlyInAnyOrder(newRoot.sha256(), ca3.sha256(),
                            ca1.sha256());
                    assertThat(results).allSatisfy(r -> assertThat(r).isEqualTo(first));
                }),
                new Case("ok/observed-store-lacks-root", () -> {
                    Cert root = TestPki.root("Observed Public Root");
                    Cert ca = root.issueIntermediate("Observed CA");
                    World w = new World().root(root);
                    w.endpoint("sts.observed.test", certs(ca.issueLeaf("sts.observed.test"), ca));
                    assertThat(w.run(21, 23).certificates()).isEmpty();
                    // the devices of level 23 report a store without the root (an OEM dropped it)
                    w.observed.put(23, List.of(new StoreIndex.State("observed:oem/api-23", List.of(), true)));
                    Requirements r = w.run(21, 23);
                    assertThat(r.sha256s()).containsExactly(root.sha256());
                    assertThat(only(r).reasons()).extracting(Reason::code, Reason::apiLevels)
                            .containsExactly(org.assertj.core.groups.Tuple.tuple(ReasonCode.OBSERVED_STORE_LACKS_ROOT,
                                    List.of(23)));
                }),
                new Case("ok/work-profile-advice", () -> {
                    Cert root = TestPki.root("Contoso Root");
                    Cert ca = root.issueIntermediate("Contoso CA");
                    World w = new World();
                    w.tenantAnchors.add(root.cert());
                    UUID e = w.endpoint("adfs.contoso.test", certs(ca.issueLeaf("adfs.contoso.test"), ca));
                    Requirements r = w.run(group(23, 25, ManagementMode.WORK_PROFILE, Set.of(), Set.of()));
                    assertThat(only(r).sha256()).isEqualTo(root.sha256());
                    assertThat(adviceCodes(r)).containsExactly(AdviceCode.USER_CA_OPT_IN,
                            AdviceCode.WORK_PROFILE_SCOPE);
                    assertThat(r.advice().get(0).endpointId()).as("group-wide").isNull();
                    assertThat(r.advice().get(0).detail()).contains("work profile");
                    assertThat(adviceCodes(w.run(21, 25))).containsExactly(AdviceCode.USER_CA_OPT_IN);
                }),
                new Case("ok/group-endpoint-subset-and-range-without-store", () -> {
                    Cert root = TestPki.root("Public Root");
                    Cert ca = root.issueIntermediate("Issuing CA");
                    World w = new World().root(root);
                    UUID a = w.endpoint("a.example.test", certs(ca.issueLeaf("a.example.test")), certs(ca));
                    w.endpoint("b.example.test", certs(ca.issueLeaf("other.example.test"), ca));
                    Requirements r = w.run(new GroupSpec(UUID.randomUUID(), 21, 23, ManagementMode.FULLY_MANAGED,
                            Set.of(a), Set.of(), Set.of()));
                    assertThat(r.sha256s()).containsExactly(ca.sha256());
                    assertThat(r.unresolved()).isEmpty();
                    Requirements none = w.run(26, 30);
                    assertThat(none.certificates()).isEmpty();
                    assertThat(adviceCodes(none)).containsExactly(AdviceCode.NO_STORE_FOR_RANGE);
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void engine(Case c) {
        c.body().run();
        synchronized (PolicyEngineTest.class) {
            casesRun++;
        }
    }

    @AfterAll
    static void everyCodeIsCovered() {
        if (casesRun < cases().count()) {
            return; // a filtered run
        }
        assertThat(REASONS_SEEN).containsExactlyInAnyOrder(ReasonCode.values());
        assertThat(UNRESOLVED_SEEN).containsExactlyInAnyOrder(UnresolvedCode.values());
        // NO_ENDPOINTS is RequirementsService's answer for a group that covers no endpoint, not the engine's
        assertThat(ADVICE_SEEN).containsExactlyInAnyOrderElementsOf(
                java.util.EnumSet.complementOf(java.util.EnumSet.of(AdviceCode.NO_ENDPOINTS)));
    }

    @Test
    void analysisSharesWorkAcrossIdenticalStoresAndIsGroupIndependent() {
        Cert root = TestPki.root("Public Root");
        Cert ca = root.issueIntermediate("Issuing CA");
        World w = new World().root(root, 25, 1000);
        w.endpoint("sts.example.test", certs(ca.issueLeaf("sts.example.test"), ca));
        EndpointFixOptions a = EngineFixture.analyzeAlone(ENGINE, w.observations.get(0), StoreIndex.of(w.stores),
                List.of(), w.now);
        assertThat(a.levels().keySet()).containsExactlyElementsOf(LEVELS);
        assertThat(a.level(21)).isSameAs(a.level(24));
        assertThat(a.level(25)).isSameAs(LevelOutcome.TRUSTED).isSameAs(a.level(34));
        assertThat(a.level(21).fixes()).extracting(Fix::sha256).containsExactly(root.sha256(), ca.sha256());
        assertThat(a.certificates()).containsOnlyKeys(root.sha256(), ca.sha256());
    }

    @Test
    void serverChainsAreAssessedOnceAndChosenForEachGroupsRange() {
        Cert root = TestPki.root("Server Chain Root");
        Cert ca = root.issueIntermediate("Server Chain CA");
        World w = new World().root(root, 25, 1000);
        Cert leaf = ca.issueLeaf("login.example.test");
        w.endpoint("login.example.test", certs(leaf), certs(ca));
        StoreIndex stores = StoreIndex.of(w.stores);
        EndpointObservation obs = w.observations.get(0);
        ServerChainOptions options = ENGINE.serverChains(obs, stores, certs(ca), w.now)
                .orElseThrow();

        // the newer levels are fixed by sending the intermediate; the older ones lack the root whatever is sent
        ServerFix newer = ENGINE.serverFix(options, group(25, 34, ManagementMode.FULLY_MANAGED,
                Set.of(), Set.of())).orElseThrow();
        assertThat(newer.chainSha256()).containsExactly(leaf.sha256(), ca.sha256());
        assertThat(newer.perLevel().keySet()).containsExactly(25, 33, 34);
        assertThat(newer.levelsFixed()).containsExactly(25, 33, 34);
        ServerFix older = ENGINE.serverFix(options, group(21, 24, ManagementMode.FULLY_MANAGED,
                Set.of(), Set.of())).orElseThrow();
        assertThat(older.perLevel().keySet()).containsExactly(21, 23, 24);
        assertThat(older.levelsNotFixed()).containsExactly(21, 23, 24);
        // a range without a store has nothing to choose for
        assertThat(ENGINE.serverFix(options, group(26, 32, ManagementMode.FULLY_MANAGED, Set.of(), Set.of())))
                .isEmpty();
        // the composed call answers as the two steps do
        GroupSpec all = group(21, 34, ManagementMode.FULLY_MANAGED, Set.of(), Set.of());
        assertThat(ENGINE.serverFix(obs, all, stores, certs(ca), w.now)).isEqualTo(ENGINE.serverFix(options, all));
        // no chain observed: nothing to assess
        assertThat(ENGINE.serverChains(EndpointObservation.unreachable(obs.endpointId(), obs.hostname(), "refused"),
                stores, certs(ca), w.now)).isEmpty();
    }

    static Collection<X509Certificate> none() {
        return List.of();
    }
}
