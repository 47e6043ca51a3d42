package org.trustfleet.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.interfaces.ECPublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;
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
}
