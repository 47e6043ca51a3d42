package org.trustfleet.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The remembered signature verdicts: the same answers as the JDK's own checks, for every algorithm a chain may use,
 * each worked out once and then answered from the memory, even for another decoding of the same certificate.
 */
class SignatureVerdictsTest {

    /** A memory that counts what it is asked and told. */
    static final class CountingMemory implements SignatureVerdicts.Memory {
        final Map<SignatureVerdicts.Key, Boolean> kept = new ConcurrentHashMap<>();
        final AtomicInteger hits = new AtomicInteger();

        @Override
        public Boolean find(SignatureVerdicts.Key key) {
            Boolean found = kept.get(key);
            if (found != null) {
                hits.incrementAndGet();
            }
            return found;
        }

        @Override
        public void keep(SignatureVerdicts.Key key, boolean verifies) {
            kept.put(key, verifies);
        }
    }

    CountingMemory memory;
    /** Not registered: the JVM's providers stay as they are (the service's tests register the service's own). */
    java.security.Provider provider;

    @BeforeEach
    void provider() {
        memory = new CountingMemory();
        provider = SignatureVerdicts.unregistered(memory);
    }

    static final TestPki.Cert ROOT = TestPki.root("Verdict Root");
    static final TestPki.Cert INT = ROOT.issueIntermediate("Verdict Int");
    /** Same name as INT, another key: what it "issues" does not verify with INT's key. */
    static final TestPki.Cert IMPOSTOR = ROOT.issueIntermediate("Verdict Int");
    static final TestPki.Cert RSA_ROOT = TestPki.rootBuilder("Verdict RSA Root").keyType(TestPki.KeyType.RSA_2048)
            .signatureAlgorithm("SHA256withRSAandMGF1").build();
    static final TestPki.Cert RSA_INT = RSA_ROOT.intermediate("Verdict RSA Int").keyType(TestPki.KeyType.RSA_2048)
            .signatureAlgorithm("SHA256withRSAandMGF1").build();
    static final TestPki.Cert P384_ROOT = TestPki.rootBuilder("Verdict P-384 Root").keyType(TestPki.KeyType.EC_P384)
            .signatureAlgorithm("SHA384withECDSA").build();
    static final TestPki.Cert P384_INT = P384_ROOT.intermediate("Verdict P-384 Int")
            .keyType(TestPki.KeyType.EC_P384).signatureAlgorithm("SHA384withECDSA").build();

    static Stream<Arguments> chains() {
        return Stream.of(
                Arguments.of("EC P-256, SHA256withECDSA", INT.issueLeaf("a.example.test"), INT, ROOT, true),
                Arguments.of("RSA-PSS", RSA_INT.leaf("b.example.test").signatureAlgorithm("SHA256withRSAandMGF1")
                        .build(), RSA_INT, RSA_ROOT, true),
                Arguments.of("PKCS#1 v1.5 under a PSS root", RSA_INT.leaf("c.example.test")
                        .signatureAlgorithm("SHA256withRSA").build(), RSA_INT, RSA_ROOT, true),
                Arguments.of("EC P-384, SHA384withECDSA", P384_INT.leaf("d.example.test")
                        .signatureAlgorithm("SHA384withECDSA").build(), P384_INT, P384_ROOT, true),
                Arguments.of("issued by an impostor of the same name", IMPOSTOR.issueLeaf("e.example.test"), INT,
                        ROOT, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chains")
    void answersAsTheJdkDoesAndTheSecondTimeFromTheMemory(String name, TestPki.Cert leaf, TestPki.Cert issuer,
            TestPki.Cert root, boolean valid) throws Exception {
        boolean jdk;
        try {
            leaf.cert().verify(issuer.cert().getPublicKey());
            jdk = true;
        } catch (java.security.SignatureException e) {
            jdk = false;
        }
        assertEquals(valid, jdk, "the JDK's own check");
        assertEquals(valid, check(leaf.cert(), issuer.cert()));
        assertEquals(1, memory.kept.size());
        assertEquals(0, memory.hits.get());
        assertEquals(valid, check(leaf.cert(), issuer.cert()));
        assertEquals(1, memory.hits.get(), "the second check was answered from the memory");
        // as X509Certificate.verify asks for it, by the certificate's own algorithm name
        assertEquals(valid, verify(leaf.cert(), issuer.cert()));
        assertEquals(2, memory.hits.get());
    }

    @Test
    void theVerdictKeptIsTheVerdictGiven() throws Exception {
        TestPki.Cert leaf = INT.issueLeaf("kept.example.test");
        assertTrue(check(leaf.cert(), INT.cert()));
        // a memory that says otherwise is believed: what proves the check was not made again
        memory.kept.replaceAll((k, v) -> false);
        assertFalse(check(leaf.cert(), INT.cert()));
    }

    @Test
    void theKeyOfACertificatesSignatureIsTheOneTheCheckKeepsAndItsBytesRoundTrip() throws Exception {
        TestPki.Cert leaf = INT.issueLeaf("key.example.test");
        assertTrue(check(leaf.cert(), INT.cert()));
        SignatureVerdicts.Key key = SignatureVerdicts.keyOf(leaf.cert().getSigAlgName(), null,
                INT.cert().getPublicKey(), leaf.cert().getTBSCertificate(), leaf.cert().getSignature());
        assertEquals(java.util.Set.of(key), memory.kept.keySet());
        assertEquals(32, key.bytes().length);
        assertEquals(key, SignatureVerdicts.Key.of(key.bytes()));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SignatureVerdicts.Key.of(new byte[31]));
    }

    @Test
    void aDifferentKeyOrCertificateIsADifferentVerdict() throws Exception {
        TestPki.Cert leaf = INT.issueLeaf("one.example.test");
        TestPki.Cert other = INT.issueLeaf("one.example.test");
        assertTrue(check(leaf.cert(), INT.cert()));
        assertFalse(check(leaf.cert(), IMPOSTOR.cert()));
        assertTrue(check(other.cert(), INT.cert()));
        assertEquals(3, memory.kept.size());
        assertEquals(2, memory.kept.values().stream().filter(b -> b).count());
        assertEquals(0, memory.hits.get());
    }

    @Test
    void offersTheOtherProvidersAlgorithmsByTheirAliasesAndOnlyVerifies() throws Exception {
        for (String algorithm : List.of("SHA256withECDSA", "SHA256withRSA", "RSASSA-PSS", "Ed25519",
                "1.2.840.113549.1.1.11", "OID.1.2.840.10045.4.3.2")) {
            assertEquals(provider, Signature.getInstance(algorithm, provider).getProvider(), algorithm);
        }
        Signature signer = Signature.getInstance("SHA256withECDSA", provider);
        assertThrowsInvalidKey(() -> signer.initSign(INT.keyPair().getPrivate()));
        // nothing registered by these tests: the default providers alone
        assertEquals(null, SignatureVerdicts.providerFor(INT.cert()));
    }

    /** The certificate's signature checked as X509Certificate.verify checks it, through the unregistered provider. */
    private boolean check(X509Certificate c, X509Certificate issuer) throws Exception {
        Signature s = Signature.getInstance(c.getSigAlgName(), provider);
        if (c.getSigAlgParams() != null) {
            java.security.AlgorithmParameters p = java.security.AlgorithmParameters.getInstance(c.getSigAlgName());
            p.init(c.getSigAlgParams());
            s.setParameter(p.getParameterSpec(java.security.spec.PSSParameterSpec.class));
        }
        s.initVerify(issuer.getPublicKey());
        s.update(c.getTBSCertificate());
        try {
            return s.verify(c.getSignature());
        } catch (java.security.SignatureException e) {
            return false;
        }
    }

    /** X509Certificate.verify itself with the provider, on another decoding of the certificate. */
    private boolean verify(X509Certificate c, X509Certificate issuer) throws Exception {
        try {
            decode(c).verify(issuer.getPublicKey(), provider);
            return true;
        } catch (java.security.SignatureException e) {
            return false;
        }
    }

    private static void assertThrowsInvalidKey(org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertThrows(java.security.InvalidKeyException.class, e);
    }

    private static X509Certificate decode(X509Certificate c) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(c.getEncoded()));
    }
}
