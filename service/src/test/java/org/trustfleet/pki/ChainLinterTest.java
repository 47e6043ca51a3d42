package org.trustfleet.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.trustfleet.pki.TestPki.certs;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Chain-shape findings (SSL Labs vocabulary) and robustness on hostile input. */
class ChainLinterTest {

    static final TestPki.Cert ROOT = TestPki.root("Analyzer Root");
    static final TestPki.Cert INT_1 = ROOT.issueIntermediate("Analyzer Int 1");
    static final TestPki.Cert INT_2 = INT_1.issueIntermediate("Analyzer Int 2");
    static final TestPki.Cert LEAF = INT_2.issueLeaf("scan.example.test");
    static final TestPki.Cert OTHER_ROOT = TestPki.root("Other Root");
    static final TestPki.Cert OTHER_INT = OTHER_ROOT.issueIntermediate("Other Int");

    private final ChainLinter analyzer = ChainLinter.create();
    private final Instant now = Instant.now();

    private List<FindingCode> codes(List<X509Certificate> chain, String host) {
        return analyzer.analyze(chain, host, now).stream().map(Finding::code).toList();
    }

    @Test
    void cleanChainHasNoFindings() {
        assertThat(analyzer.analyze(certs(LEAF, INT_2, INT_1), "scan.example.test", now)).isEmpty();
    }

    @Test
    void wrongOrder() {
        List<Finding> findings = analyzer.analyze(certs(LEAF, INT_1, INT_2), null, now);
        assertThat(findings).extracting(Finding::code).containsExactly(FindingCode.WRONG_ORDER);
        assertThat(findings.get(0).sha256()).isEqualTo(INT_2.sha256());
    }

    @Test
    void extraUnrelatedCertificate() {
        List<Finding> findings = analyzer.analyze(certs(LEAF, INT_2, INT_1, OTHER_INT), null, now);
        assertThat(findings).extracting(Finding::code).containsExactly(FindingCode.EXTRA_CERTIFICATE);
        assertThat(findings.get(0).certificate()).contains(OTHER_INT.sha256());
    }

    @Test
    void duplicate() {
        assertThat(codes(certs(LEAF, INT_2, INT_2, INT_1), null))
                .containsExactly(FindingCode.DUPLICATE_CERTIFICATE);
    }

    @Test
    void containsRoot() {
        List<Finding> findings = analyzer.analyze(certs(LEAF, INT_2, INT_1, ROOT), null, now);
        assertThat(findings).extracting(Finding::code).containsExactly(FindingCode.CONTAINS_ROOT);
        assertThat(findings.get(0).sha256()).isEqualTo(ROOT.sha256());
    }

    @Test
    void missingIntermediateNeedsKnownRoots() {
        List<X509Certificate> leafOnly = certs(LEAF);
        assertThat(codes(leafOnly, null)).isEmpty();
        assertThat(analyzer.analyze(leafOnly, null, now, Set.of(ROOT.cert()))).extracting(Finding::code)
                .containsExactly(FindingCode.MISSING_INTERMEDIATE);
        // Complete up to a known root: nothing missing.
        assertThat(analyzer.analyze(certs(LEAF, INT_2, INT_1), null, now, Set.of(ROOT.cert()))).isEmpty();
    }

    @Test
    void dates() {
        TestPki.Cert expired = INT_2.leaf("expired.example.test").expired().build();
        TestPki.Cert future = INT_2.leaf("future.example.test").notYetValid().build();
        TestPki.Cert soon = INT_2.leaf("soon.example.test").notAfter(now.plus(Duration.ofDays(10))).build();
        assertThat(codes(certs(expired, INT_2, INT_1), null)).containsExactly(FindingCode.EXPIRED);
        assertThat(codes(certs(future, INT_2, INT_1), null)).containsExactly(FindingCode.NOT_YET_VALID);
        assertThat(codes(certs(soon, INT_2, INT_1), null)).containsExactly(FindingCode.EXPIRES_SOON);
        assertThat(ChainLinter.with(new ChainLinter.Options(5, 10)).analyze(certs(soon, INT_2, INT_1), null, now))
                .isEmpty();
    }

    @Test
    void weakSignatureAndWeakKey() {
        TestPki.Cert rsaRoot = TestPki.rootBuilder("RSA Root").keyType(TestPki.KeyType.RSA_2048)
                .signatureAlgorithm("SHA1withRSA").build();
        TestPki.Cert sha1Int = rsaRoot.intermediate("SHA1 Int").signatureAlgorithm("SHA1withRSA").build();
        TestPki.Cert weakLeaf = sha1Int.leaf("weak.example.test").keyType(TestPki.KeyType.RSA_1024).build();
        List<Finding> findings = analyzer.analyze(certs(weakLeaf, sha1Int, rsaRoot), null, now);
        // SHA-1 on the self-signed root is not reported: nobody verifies a root's own signature.
        assertThat(findings).extracting(Finding::code, Finding::sha256).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(FindingCode.CONTAINS_ROOT, rsaRoot.sha256()),
                org.assertj.core.groups.Tuple.tuple(FindingCode.WEAK_SIGNATURE, sha1Int.sha256()),
                org.assertj.core.groups.Tuple.tuple(FindingCode.WEAK_KEY, weakLeaf.sha256()));
    }

    @Test
    void hostnameMismatch() {
        assertThat(codes(certs(LEAF, INT_2, INT_1), "other.example.test"))
                .containsExactly(FindingCode.HOSTNAME_MISMATCH);
    }

    @Test
    void tooManyCertificates() {
        List<X509Certificate> chain = new ArrayList<>(certs(LEAF, INT_2, INT_1));
        for (int i = 0; i < 9; i++) {
            chain.add(INT_1.cert());
        }
        List<FindingCode> codes = codes(chain, null);
        assertThat(codes).contains(FindingCode.TOO_MANY_CERTIFICATES, FindingCode.DUPLICATE_CERTIFICATE);
    }

    @Test
    @Timeout(20)
    void neverThrowsOnHostileInput() throws Exception {
        List<X509Certificate> hostile = new ArrayList<>();
        hostile.add(weirdCertificate());
        // 100 certificates all named alike and cross-signing each other.
        List<TestPki.Cert> cas = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            cas.add(TestPki.root("Same Name"));
        }
        for (TestPki.Cert a : cas) {
            for (TestPki.Cert b : cas) {
                hostile.add(a.crossSignedBy(b).cert());
            }
        }
        hostile.add(null);
        assertThat(hostile.size()).isGreaterThan(100);
        assertThatCode(() -> analyzer.analyze(hostile, "[::1", now, Set.of(ROOT.cert()))).doesNotThrowAnyException();
        List<FindingCode> codes = analyzer.analyze(hostile, "x", now).stream().map(Finding::code).toList();
        assertThat(codes).contains(FindingCode.TOO_MANY_CERTIFICATES, FindingCode.HOSTNAME_MISMATCH);
        assertThatCode(() -> analyzer.analyze(null, null, now)).doesNotThrowAnyException();
        assertThatCode(() -> AndroidValidator.create().validate(hostile.subList(0, 100), Set.of(ROOT.cert()), "x",
                now)).doesNotThrowAnyException();
    }

    /** Garbage AKI/SKI/SAN and an unknown critical extension, with an absurd validity window. */
    private static X509Certificate weirdCertificate() throws Exception {
        KeyPair kp = TestPki.keyPair(TestPki.KeyType.EC_P256);
        X500Name name = new X500Name("CN=weird");
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
                new Date(0), new Date(253402300799000L), name, kp.getPublic());
        b.addExtension(Extension.authorityKeyIdentifier, false, new DEROctetString(new byte[] {1, 2, 3}));
        b.addExtension(Extension.subjectKeyIdentifier, false, new DEROctetString(new byte[] {(byte) 0xff}));
        b.addExtension(Extension.subjectAlternativeName, false, new DEROctetString(new byte[] {0x30, 0x03, 1}));
        b.addExtension(new ASN1ObjectIdentifier("1.2.3.4.5.6.7"), true, new byte[4096]);
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
    }
}
