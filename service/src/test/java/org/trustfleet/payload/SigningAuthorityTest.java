package org.trustfleet.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.security.auth.x500.X500Principal;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.trustfleet.pki.Certificates;

class SigningAuthorityTest {

    static final UUID TENANT = UUID.fromString("3f1c2b4a-1111-4222-8333-944455556666");

    @Test
    void rootIsSelfSignedP256CaWithLongValidity() {
        SigningAuthority a = SigningAuthority.generate("dep-1", Instant.now());
        X509Certificate root = a.rootCertificate();
        assertThat(root.getSubjectX500Principal().getName(X500Principal.RFC2253))
                .isEqualTo("CN=Trustfleet Payload Root dep-1,O=Trustfleet");
        assertThat(Certificates.isSelfSigned(root)).isTrue();
        assertThat(root.getBasicConstraints()).isEqualTo(0);
        assertThat(root.getKeyUsage()[5]).as("keyCertSign").isTrue();
        assertThat(root.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(((ECPublicKey) root.getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        assertThat(root.getNotAfter().toInstant()).isAfter(Instant.now().plus(Duration.ofDays(20 * 365)));
        assertThat(a.root().toString()).contains("redacted").doesNotContain(a.root().privateKey().toString());
    }

    @Test
    void signerNamesTenantIsNotCaAndHasDigitalSignatureOnly() throws Exception {
        SigningAuthority a = SigningAuthority.generate("dep-1", Instant.now());
        TenantSigner s = a.issueSigner(TENANT, Instant.now());
        X509Certificate c = s.signer().certificate();
        assertThat(c.getSubjectX500Principal().getName(X500Principal.RFC2253))
                .isEqualTo("CN=Trustfleet Payload Signer,OU=tenant:" + TENANT + ",O=Trustfleet");
        assertThat(SignerIdentity.tenantOf(c)).contains(TENANT);
        assertThat(Certificates.isIssuedBy(c, a.rootCertificate())).isTrue();
        assertThat(c.getBasicConstraints()).isEqualTo(-1);
        assertThat(c.getKeyUsage()).startsWith(true, false, false, false, false, false);
        assertThat(c.getCriticalExtensionOIDs()).contains("2.5.29.15", "2.5.29.19");
        assertThat(c.getExtendedKeyUsage()).isNull();
        assertThat(c.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(c.getNotAfter().toInstant()).isBetween(Instant.now().plus(Duration.ofDays(700)),
                Instant.now().plus(Duration.ofDays(731)));
        assertThat(s.chain()).containsExactly(c, a.rootCertificate());
        assertThat(s.chainPem()).startsWith("-----BEGIN CERTIFICATE-----");
    }

    @Test
    void rotationIssuesNewKeyUnderSameRoot() {
        SigningAuthority a = SigningAuthority.generate("dep-1", Instant.now());
        TenantSigner s1 = a.issueSigner(TENANT, Instant.now());
        TenantSigner s2 = a.issueSigner(TENANT, Instant.now());
        assertThat(s2.signer().certificate().getPublicKey()).isNotEqualTo(s1.signer().certificate().getPublicKey());
        assertThat(s2.root()).isEqualTo(s1.root());
        assertThat(Certificates.isIssuedBy(s2.signer().certificate(), a.rootCertificate())).isTrue();
    }

    @Test
    void reloadRootAndSignerChecksKeysAndIssuer() {
        SigningAuthority a = SigningAuthority.generate("dep-1", Instant.now());
        TenantSigner s = a.issueSigner(TENANT, Instant.now());
        SigningAuthority again = SigningAuthority.of(a.root());
        assertThat(again.loadSigner(s.signer()).tenantId()).isEqualTo(TENANT);
        SigningAuthority b = SigningAuthority.generate("dep-2", Instant.now());
        assertThatThrownBy(() -> SigningAuthority.of(new SigningKey(a.rootCertificate(), b.root().privateKey())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.loadSigner(s.signer())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SigningAuthority.of(s.signer())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void signerValidityIsClampedToRoot() {
        Instant now = Instant.now();
        SigningAuthority a = SigningAuthority.generate("short", now.minusSeconds(60), now.plus(Duration.ofDays(30)));
        TenantSigner s = a.issueSigner(TENANT, Instant.now());
        assertThat(s.signer().certificate().getNotAfter()).isEqualTo(a.rootCertificate().getNotAfter());
    }

    @Test
    void tenantOfIgnoresCertificatesWithoutTenant() {
        assertThat(SignerIdentity.tenantOf(PayloadFixtures.INT_A.cert())).isEmpty();
        assertThat(SignerIdentity.tenantOf(SigningAuthority.generate("x", Instant.now()).rootCertificate())).isEmpty();
    }

    private static KeyPair pair(String algorithm, java.security.spec.AlgorithmParameterSpec spec) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            g.initialize(spec);
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A P-256 private key with the scalar {@code s} (outside 1..n-1 too: what a damaged row could decode to). */
    private static PrivateKey p256Scalar(ECPublicKey like, BigInteger s) {
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(s, like.getParams()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Arguments> keyPairs() {
        KeyPair p256 = pair("EC", new ECGenParameterSpec("secp256r1"));
        KeyPair otherP256 = pair("EC", new ECGenParameterSpec("secp256r1"));
        KeyPair p384 = pair("EC", new ECGenParameterSpec("secp384r1"));
        KeyPair otherP384 = pair("EC", new ECGenParameterSpec("secp384r1"));
        KeyPair rsa = pair("RSA", new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4));
        KeyPair otherRsa = pair("RSA", new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4));
        ECPublicKey w = (ECPublicKey) p256.getPublic();
        BigInteger d = ((ECPrivateKey) p256.getPrivate()).getS();
        BigInteger n = w.getParams().getOrder();
        return Stream.of(
                Arguments.of("P-256, one pair", p256.getPrivate(), p256.getPublic(), true),
                Arguments.of("P-256, two pairs", otherP256.getPrivate(), p256.getPublic(), false),
                Arguments.of("P-256, the scalar plus the order (the same point, not a valid key)",
                        p256Scalar(w, d.add(n)), p256.getPublic(), false),
                Arguments.of("P-256, the scalar's negation (the point's mirror)", p256Scalar(w, n.subtract(d)),
                        p256.getPublic(), false),
                Arguments.of("P-256, the scalar zero", p256Scalar(w, BigInteger.ZERO), p256.getPublic(), false),
                Arguments.of("P-384, one pair (sign and verify)", p384.getPrivate(), p384.getPublic(), true),
                Arguments.of("P-384, two pairs", otherP384.getPrivate(), p384.getPublic(), false),
                Arguments.of("P-256 private, P-384 public", p256.getPrivate(), p384.getPublic(), false),
                Arguments.of("P-384 private, P-256 public", p384.getPrivate(), p256.getPublic(), false),
                Arguments.of("RSA, one pair", rsa.getPrivate(), rsa.getPublic(), true),
                Arguments.of("RSA, two pairs", otherRsa.getPrivate(), rsa.getPublic(), false),
                Arguments.of("RSA private, P-256 public", rsa.getPrivate(), p256.getPublic(), false),
                Arguments.of("P-256 private, RSA public", p256.getPrivate(), rsa.getPublic(), false));
    }

    /** The check every signer load makes: the two keys are one pair, whichever way it is worked out. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("keyPairs")
    void keysMatchWhenTheyAreOnePair(String name, PrivateKey privateKey, PublicKey publicKey, boolean onePair) {
        assertThat(SigningAuthority.keyMatches(privateKey, publicKey)).isEqualTo(onePair);
    }

    /** The keys this authority issues are P-256: the root's and each signer's check out as pairs, not crosswise. */
    @Test
    void issuedKeysMatchTheirCertificatesOnly() {
        SigningAuthority a = SigningAuthority.generate("dep-1", Instant.now());
        TenantSigner s = a.issueSigner(TENANT, Instant.now());
        assertThat(SigningAuthority.keyMatches(s.signer().privateKey(), s.signer().certificate().getPublicKey()))
                .isTrue();
        assertThat(SigningAuthority.keyMatches(a.root().privateKey(), a.rootCertificate().getPublicKey())).isTrue();
        assertThat(SigningAuthority.keyMatches(a.root().privateKey(), s.signer().certificate().getPublicKey()))
                .isFalse();
    }
}
