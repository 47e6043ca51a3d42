package org.trustfleet.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.pki.TestPki.certs;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven Android-semantics validation. Every row is also checked against Conscrypt's TrustManagerImpl (the
 * oracle): accept there exactly when trusted here, host name excluded (compared separately with OkHostnameVerifier).
 */
class AndroidValidatorTest {

    static final TestPki.Cert ROOT_A = TestPki.root("Root A");
    static final TestPki.Cert ROOT_B = TestPki.root("Root B");
    static final TestPki.Cert INT_A = ROOT_A.issueIntermediate("Int A");
    static final TestPki.Cert LEAF_A = INT_A.issueLeaf("sts.example.test");
    static final TestPki.Cert INT_B = ROOT_B.issueIntermediate("Int B");

    static final TestPki.Cert PRIVATE_ROOT = TestPki.root("Contoso Private Root");
    static final TestPki.Cert PRIVATE_INT = PRIVATE_ROOT.issueIntermediate("Contoso Issuing CA");
    static final TestPki.Cert PRIVATE_LEAF = PRIVATE_INT.issueLeaf("adfs.contoso.test");

    // Cross-signing: a new root, self-signed for new devices and cross-signed by an old root for old devices.
    static final TestPki.Cert OLD_ROOT = TestPki.root("Old Root");
    static final TestPki.Cert NEW_ROOT = TestPki.root("New Root");
    static final TestPki.Cert NEW_ROOT_X = NEW_ROOT.crossSignedBy(OLD_ROOT);
    static final TestPki.Cert NEW_ROOT_X_EXPIRED = NEW_ROOT.crossSign(OLD_ROOT).expired().build();
    static final TestPki.Cert NEW_INT = NEW_ROOT.issueIntermediate("New Int");
    static final TestPki.Cert NEW_LEAF = NEW_INT.issueLeaf("login.example.test");

    static final TestPki.Cert INT_EXPIRED = ROOT_A.intermediate("Int Expired").expired().build();
    static final TestPki.Cert LEAF_UNDER_EXPIRED = INT_EXPIRED.issueLeaf("old.example.test");

    static final TestPki.Cert INT_1 = ROOT_A.issueIntermediate("Int 1");
    static final TestPki.Cert INT_2 = INT_1.issueIntermediate("Int 2");
    static final TestPki.Cert LEAF_DEEP = INT_2.issueLeaf("deep.example.test");

    // Loop: "Loop A" issued by "Loop B" and "Loop B" issued by "Loop A".
    static final TestPki.Cert LOOP_A = TestPki.root("Loop A");
    static final TestPki.Cert LOOP_B = TestPki.root("Loop B");
    static final TestPki.Cert A_BY_B = LOOP_A.crossSignedBy(LOOP_B);
    static final TestPki.Cert B_BY_A = LOOP_B.crossSignedBy(LOOP_A);
    static final TestPki.Cert LOOP_LEAF = LOOP_A.issueLeaf("loop.example.test");

    static final TestPki.Cert LEAF_AS_ISSUER = INT_A.issueLeaf("host1.example.test");
    static final TestPki.Cert VICTIM = LEAF_AS_ISSUER.leaf("victim.example.test").build();

    static final TestPki.Cert INT_PATHLEN0 = ROOT_A.intermediate("Int PathLen 0").pathLen(0).build();
    static final TestPki.Cert SUB_CA = INT_PATHLEN0.issueIntermediate("Sub CA");
    static final TestPki.Cert LEAF_PATHLEN = SUB_CA.issueLeaf("pathlen.example.test");

    static final TestPki.Cert INT_NC = ROOT_A.intermediate("Int Constrained").permittedDns("corp.example.test").build();
    static final TestPki.Cert LEAF_NC_OK = INT_NC.issueLeaf("sts.corp.example.test");
    static final TestPki.Cert LEAF_NC_BAD = INT_NC.issueLeaf("sts.evil.example.org");

    static final TestPki.Cert INT_NO_CERTSIGN = ROOT_A.intermediate("Int No CertSign").withoutKeyCertSign().build();
    static final TestPki.Cert LEAF_NO_CERTSIGN = INT_NO_CERTSIGN.issueLeaf("ku.example.test");

    static final TestPki.Cert LEAF_EXPIRED = INT_A.leaf("expired.example.test").expired().build();
    static final TestPki.Cert LEAF_FUTURE = INT_A.leaf("future.example.test").notYetValid().build();

    static final TestPki.Cert RSA_ROOT = TestPki.rootBuilder("RSA Root").keyType(TestPki.KeyType.RSA_2048).build();
    static final TestPki.Cert SHA1_INT = RSA_ROOT.intermediate("SHA1 Int").signatureAlgorithm("SHA1withRSA").build();
    static final TestPki.Cert LEAF_UNDER_SHA1 = SHA1_INT.issueLeaf("sha1.example.test");
    static final TestPki.Cert RSA1024_LEAF = INT_A.leaf("rsa1024.example.test").keyType(TestPki.KeyType.RSA_1024)
            .build();

    // Key rollover: "Rollover Root" re-keyed; the new key is certified by the old one (self-issued, not self-signed).
    static final TestPki.Cert ROLLOVER_OLD = TestPki.root("Rollover Root");
    static final TestPki.Cert ROLLOVER_NEW = TestPki.root("Rollover Root");
    static final TestPki.Cert ROLLOVER_LINK = ROLLOVER_NEW.crossSignedBy(ROLLOVER_OLD);
    static final TestPki.Cert ROLLOVER_LEAF = ROLLOVER_NEW.issueLeaf("rollover.example.test");

    static final TestPki.Cert SELF_SIGNED_LEAF = TestPki.rootBuilder("self.example.test").ca(false)
            .dns("self.example.test").build();

    /** One validation scenario. {@code expectedPath} and {@code completedPath} are optional. */
    record Row(String name, List<X509Certificate> presented, Set<X509Certificate> anchors, String host,
            boolean trusted, ValidationFailure failure, List<X509Certificate> expectedPath,
            List<X509Certificate> completedPath, List<X509Certificate> expectedMissing) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Row ok(String name, List<X509Certificate> presented, Set<X509Certificate> anchors,
            List<X509Certificate> path) {
        return new Row(name, presented, anchors, null, true, null, path, null, null);
    }

    static Row bad(String name, List<X509Certificate> presented, Set<X509Certificate> anchors, ValidationFailure f) {
        return new Row(name, presented, anchors, null, false, f, null, null, null);
    }

    static Stream<Row> rows() {
        Set<X509Certificate> storeA = Set.of(ROOT_A.cert());
        Set<X509Certificate> storeB = Set.of(ROOT_B.cert());
        Set<X509Certificate> oldStore = Set.of(OLD_ROOT.cert(), ROOT_A.cert());
        Set<X509Certificate> newStore = Set.of(NEW_ROOT.cert(), ROOT_A.cert());
        List<X509Certificate> completedA = certs(LEAF_A, INT_A, ROOT_A);
        return Stream.of(
                ok("complete chain", certs(LEAF_A, INT_A), storeA, certs(LEAF_A, INT_A, ROOT_A)),
                new Row("leaf only: missing intermediate", certs(LEAF_A), storeA, null, false,
                        ValidationFailure.NO_PATH, null, completedA, certs(INT_A)),
                ok("intermediate installed as anchor, no root", certs(LEAF_A), Set.of(INT_A.cert()),
                        certs(LEAF_A, INT_A)),
                ok("intermediate installed, root also in store: shortest path ends at the intermediate",
                        certs(LEAF_A, INT_A), Set.of(INT_A.cert(), ROOT_A.cert()), certs(LEAF_A, INT_A)),
                new Row("private root absent from system store", certs(PRIVATE_LEAF, PRIVATE_INT), storeA, null,
                        false, ValidationFailure.NO_PATH, null, certs(PRIVATE_LEAF, PRIVATE_INT, PRIVATE_ROOT),
                        certs(PRIVATE_ROOT)),
                ok("private root in tenant anchors", certs(PRIVATE_LEAF, PRIVATE_INT),
                        Set.of(ROOT_A.cert(), PRIVATE_ROOT.cert()), certs(PRIVATE_LEAF, PRIVATE_INT, PRIVATE_ROOT)),
                ok("root present in store A", certs(LEAF_A, INT_A), storeA, null),
                new Row("root absent from store B", certs(LEAF_A, INT_A), storeB, null, false,
                        ValidationFailure.NO_PATH, null, completedA, certs(ROOT_A)),
                new Row("leaf only against store B: the intermediate suffices", certs(LEAF_A), storeB, null, false,
                        ValidationFailure.NO_PATH, null, completedA, certs(INT_A)),
                ok("cross-signed: old store goes through the cross-certificate",
                        certs(NEW_LEAF, NEW_INT, NEW_ROOT_X), oldStore,
                        certs(NEW_LEAF, NEW_INT, NEW_ROOT_X, OLD_ROOT)),
                ok("cross-signed: new store stops at the self-signed new root",
                        certs(NEW_LEAF, NEW_INT, NEW_ROOT_X), newStore, certs(NEW_LEAF, NEW_INT, NEW_ROOT)),
                ok("cross-signed: both roots, shortest path wins",
                        certs(NEW_LEAF, NEW_INT, NEW_ROOT_X), Set.of(OLD_ROOT.cert(), NEW_ROOT.cert()),
                        certs(NEW_LEAF, NEW_INT, NEW_ROOT)),
                ok("expired cross-certificate ignored when the new root is stored",
                        certs(NEW_LEAF, NEW_INT, NEW_ROOT_X_EXPIRED), newStore, certs(NEW_LEAF, NEW_INT, NEW_ROOT)),
                bad("expired cross-certificate on an old store", certs(NEW_LEAF, NEW_INT, NEW_ROOT_X_EXPIRED),
                        oldStore, ValidationFailure.EXPIRED),
                new Row("cross-signed chain without the cross-certificate on an old store",
                        certs(NEW_LEAF, NEW_INT), oldStore, null, false, ValidationFailure.NO_PATH, null,
                        certs(NEW_LEAF, NEW_INT, NEW_ROOT_X, OLD_ROOT), certs(NEW_ROOT_X)),
                bad("expired intermediate", certs(LEAF_UNDER_EXPIRED, INT_EXPIRED), storeA,
                        ValidationFailure.EXPIRED),
                ok("expired intermediate installed as anchor: anchors are not date-checked",
                        certs(LEAF_UNDER_EXPIRED), Set.of(INT_EXPIRED.cert()), certs(LEAF_UNDER_EXPIRED, INT_EXPIRED)),
                bad("expired leaf", certs(LEAF_EXPIRED, INT_A), storeA, ValidationFailure.EXPIRED),
                bad("not yet valid leaf", certs(LEAF_FUTURE, INT_A), storeA, ValidationFailure.NOT_YET_VALID),
                ok("wrong order still validates", certs(LEAF_DEEP, INT_1, INT_2), storeA,
                        certs(LEAF_DEEP, INT_2, INT_1, ROOT_A)),
                ok("extra unrelated certificate", certs(LEAF_A, INT_A, INT_B), storeA, certs(LEAF_A, INT_A, ROOT_A)),
                ok("root included", certs(LEAF_A, INT_A, ROOT_A), storeA, certs(LEAF_A, INT_A, ROOT_A)),
                bad("root included but not stored", certs(LEAF_A, INT_A, ROOT_A), storeB, ValidationFailure.NO_PATH),
                new Row("hostname mismatch", certs(LEAF_A, INT_A), storeA, "other.example.test", false,
                        ValidationFailure.HOSTNAME_MISMATCH, certs(LEAF_A, INT_A, ROOT_A), null, null),
                new Row("hostname match", certs(LEAF_A, INT_A), storeA, "STS.example.test.", true, null, null, null,
                        null),
                bad("loop A->B->A without anchor terminates", certs(LOOP_LEAF, A_BY_B, B_BY_A), storeA,
                        ValidationFailure.NO_PATH),
                ok("loop with a self-signed anchor in it", certs(LOOP_LEAF, A_BY_B, B_BY_A), Set.of(LOOP_B.cert()),
                        certs(LOOP_LEAF, A_BY_B, LOOP_B)),
                bad("basic constraints: leaf used as issuer", certs(VICTIM, LEAF_AS_ISSUER, INT_A), storeA,
                        ValidationFailure.BASIC_CONSTRAINTS),
                bad("pathLen 0 exceeded", certs(LEAF_PATHLEN, SUB_CA, INT_PATHLEN0), storeA,
                        ValidationFailure.BASIC_CONSTRAINTS),
                ok("name constraints satisfied", certs(LEAF_NC_OK, INT_NC), storeA, null),
                bad("name constraints violated", certs(LEAF_NC_BAD, INT_NC), storeA,
                        ValidationFailure.NAME_CONSTRAINTS),
                bad("issuer keyUsage without keyCertSign", certs(LEAF_NO_CERTSIGN, INT_NO_CERTSIGN), storeA,
                        ValidationFailure.KEY_USAGE),
                bad("SHA-1 signed intermediate refused", certs(LEAF_UNDER_SHA1, SHA1_INT), Set.of(RSA_ROOT.cert()),
                        ValidationFailure.WEAK_SIGNATURE),
                ok("RSA 1024 leaf still accepted by Android", certs(RSA1024_LEAF, INT_A), storeA, null),
                ok("self-signed leaf installed as anchor", certs(SELF_SIGNED_LEAF), Set.of(SELF_SIGNED_LEAF.cert()),
                        certs(SELF_SIGNED_LEAF)),
                bad("self-signed leaf not installed", certs(SELF_SIGNED_LEAF), storeA, ValidationFailure.NO_PATH),
                bad("self-issued key-rollover link: Android stops at it", certs(ROLLOVER_LEAF, ROLLOVER_LINK),
                        Set.of(ROLLOVER_OLD.cert()), ValidationFailure.NO_PATH),
                ok("self-issued key-rollover: new key stored", certs(ROLLOVER_LEAF, ROLLOVER_LINK),
                        Set.of(ROLLOVER_OLD.cert(), ROLLOVER_NEW.cert()), certs(ROLLOVER_LEAF, ROLLOVER_NEW)),
                bad("empty anchor set", certs(LEAF_A, INT_A, ROOT_A), Set.of(), ValidationFailure.NO_PATH));
    }

    private final AndroidValidator validator = AndroidValidator.create();

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void validatesLikeAndroid(Row row) {
        Instant now = Instant.now();
        ValidationResult result = validator.validate(row.presented(), row.anchors(), row.host(), now);

        assertThat(result.trusted()).as(result.detail()).isEqualTo(row.trusted());
        assertThat(result.failure()).as(result.detail()).isEqualTo(row.failure());
        if (row.expectedPath() != null) {
            assertThat(result.pathSha256()).isEqualTo(shas(row.expectedPath()));
        }
        if (result.trusted()) {
            assertThat(result.path().get(0)).isEqualTo(row.presented().get(0));
            assertThat(row.anchors()).contains(result.anchor());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void agreesWithConscrypt(Row row) {
        // The host name is out of the trust comparison: Conscrypt's TrustManagerImpl does not match names.
        ValidationResult ours = validator.validate(row.presented(), row.anchors(), null, Instant.now());
        String conscrypt = ConscryptOracle.reject(row.presented(), row.anchors());
        assertThat(conscrypt == null)
                .as("Conscrypt: %s / ours: %s %s", conscrypt, ours.failure(), ours.detail())
                .isEqualTo(ours.trusted());
        if (row.host() != null) {
            assertThat(HostnameMatcher.matches(row.presented().get(0), row.host()))
                    .isEqualTo(ConscryptOracle.hostnameMatches(row.presented().get(0), row.host()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void fixFinderNamesTheCertificateThatFixesTheChain(Row row) {
        if (row.completedPath() == null) {
            return;
        }
        Instant now = Instant.now();
        List<String> missing = missing(row.presented(), row.completedPath(), row.anchors(), now);
        assertThat(missing).isEqualTo(shas(row.expectedMissing()));

        // Installing it really fixes the chain, for us and for Conscrypt.
        List<X509Certificate> fixed = new ArrayList<>(row.anchors());
        fixed.addAll(row.expectedMissing());
        assertThat(validator.validate(row.presented(), fixed, null, now).trusted()).isTrue();
        assertThat(ConscryptOracle.reject(row.presented(), fixed)).isNull();
    }

    @Test
    void shapeProblemsValidateOnAndroidButAreFlagged() {
        Set<X509Certificate> storeA = Set.of(ROOT_A.cert());
        ChainLinter analyzer = ChainLinter.create();
        Instant now = Instant.now();
        record Case(List<X509Certificate> chain, FindingCode code) {
        }
        for (Case c : List.of(new Case(certs(LEAF_DEEP, INT_1, INT_2), FindingCode.WRONG_ORDER),
                new Case(certs(LEAF_A, INT_A, INT_B), FindingCode.EXTRA_CERTIFICATE),
                new Case(certs(LEAF_A, INT_A, ROOT_A), FindingCode.CONTAINS_ROOT),
                new Case(certs(LEAF_A, INT_A, INT_A), FindingCode.DUPLICATE_CERTIFICATE))) {
            assertThat(validator.validate(c.chain(), storeA, null, now).trusted()).isTrue();
            assertThat(ConscryptOracle.reject(c.chain(), storeA)).isNull();
            assertThat(analyzer.analyze(c.chain(), null, now)).extracting(Finding::code).containsExactly(c.code());
        }
        assertThat(analyzer.analyze(certs(LEAF_A), null, now, storeA)).extracting(Finding::code)
                .containsExactly(FindingCode.MISSING_INTERMEDIATE);
    }

    @Test
    void fixFinderFindsNothingWhenAlreadyTrustedOrUnfixable() {
        Instant now = Instant.now();
        assertThat(missing(certs(LEAF_A, INT_A), certs(LEAF_A, INT_A, ROOT_A), Set.of(ROOT_A.cert()), now))
                .isEmpty();
        // An expired leaf cannot be fixed by installing anything.
        assertThat(missing(certs(LEAF_EXPIRED), certs(LEAF_EXPIRED, INT_A, ROOT_A), Set.of(ROOT_A.cert()), now))
                .isEmpty();
    }

    /** {@link FixFinder}'s preferred fix on one store holding {@code anchors}, from the completed path. */
    private static List<String> missing(List<X509Certificate> presented, List<X509Certificate> completedPath,
            Collection<X509Certificate> anchors, Instant now) {
        StoreIndex store = StoreIndex.of(Map.of(1, anchors));
        return FixFinder.create().find(presented, null, store, List.of(), completedPath, now).levels().get(1)
                .missing();
    }

    @Test
    void ipAddressesMatchOnlySanIpEntries() {
        TestPki.Cert ipLeaf = INT_A.leaf("10.1.2.3").clearSan().ip("10.1.2.3", "2001:db8::1").dns("ip.example.test")
                .build();
        List<X509Certificate> chain = certs(ipLeaf, INT_A);
        Set<X509Certificate> store = Set.of(ROOT_A.cert());
        Instant now = Instant.now();
        assertThat(validator.validate(chain, store, "10.1.2.3", now).trusted()).isTrue();
        assertThat(validator.validate(chain, store, "[2001:db8:0:0::1]", now).trusted()).isTrue();
        assertThat(validator.validate(chain, store, "10.1.2.4", now).failure())
                .isEqualTo(ValidationFailure.HOSTNAME_MISMATCH);
        for (String host : List.of("10.1.2.3", "10.1.2.4", "ip.example.test", "2001:db8:0:0:0:0:0:1")) {
            assertThat(HostnameMatcher.matches(ipLeaf.cert(), host)).as(host)
                    .isEqualTo(ConscryptOracle.hostnameMatches(ipLeaf.cert(), host));
        }
        // Known divergence: Conscrypt 2.5.2 compares IPv6 as strings against the JDK's expanded SAN form, so it
        // misses "2001:db8::1"; we compare address bytes, which is what RFC 6125 / 5280 mean.
        assertThat(ConscryptOracle.hostnameMatches(ipLeaf.cert(), "2001:db8::1")).isFalse();
        assertThat(HostnameMatcher.matches(ipLeaf.cert(), "2001:db8::1")).isTrue();
    }

    @Test
    void wildcardsMatchOneLeftMostLabelLikeAndroid() {
        TestPki.Cert wild = INT_A.leaf("*.example.test").build();
        TestPki.Cert cnOnly = INT_A.leaf("cn-only.example.test").clearSan().build();
        for (String host : List.of("a.example.test", "example.test", "a.b.example.test", "A.EXAMPLE.TEST")) {
            assertThat(HostnameMatcher.matches(wild.cert(), host)).as(host)
                    .isEqualTo(ConscryptOracle.hostnameMatches(wild.cert(), host));
        }
        assertThat(HostnameMatcher.matches(wild.cert(), "a.example.test")).isTrue();
        assertThat(HostnameMatcher.matches(wild.cert(), "a.b.example.test")).isFalse();
        // SAN-only: a CN-only certificate never matches (Android ignores the CN).
        assertThat(HostnameMatcher.matches(cnOnly.cert(), "cn-only.example.test")).isFalse();
        assertThat(HostnameMatcher.dnsMatches("x.test", "*.test")).isFalse();
        assertThat(HostnameMatcher.dnsMatches("ab.example.test", "a*.example.test")).isFalse();
    }

    @Test
    void timeIsAParameter() {
        Instant later = Instant.now().plus(Duration.ofDays(4000));
        assertThat(validator.validate(certs(LEAF_A, INT_A), Set.of(ROOT_A.cert()), null, later).failure())
                .isEqualTo(ValidationFailure.EXPIRED);
    }

    @Test
    void conscryptNativeLibraryLoads() {
        // The oracle must be the real Conscrypt, native BoringSSL included, not a partially loaded jar.
        assertThat(org.conscrypt.Conscrypt.isAvailable()).isTrue();
        assertThat(org.conscrypt.Conscrypt.version().major()).isEqualTo(2);
    }

    @Test
    void emptyChainIsRejected() {
        assertThat(validator.validate(List.of(), Set.of(ROOT_A.cert()), null, Instant.now()).failure())
                .isEqualTo(ValidationFailure.EMPTY_CHAIN);
    }

    static List<String> shas(List<X509Certificate> certs) {
        return certs.stream().map(Sha256::of).toList();
    }
}
