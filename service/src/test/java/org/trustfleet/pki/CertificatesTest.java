package org.trustfleet.pki;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one rule for "is this a CA certificate Trustfleet may deliver, store as an anchor or sign with". */
class CertificatesTest {
    static final TestPki.Cert ROOT = TestPki.root("Certificates Test Root");

    @Test
    void caCertificateNeedsCaTrueAndKeyCertSignWhenKeyUsageIsPresent() {
        assertThat(Certificates.isCaCertificate(ROOT.cert())).isTrue();
        assertThat(Certificates.isCaCertificate(ROOT.issueIntermediate("Plain CA").cert())).isTrue();
        assertThat(Certificates.isCaCertificate(ROOT.intermediate("No keyUsage CA").noKeyUsage().build().cert()))
                .as("keyUsage absent: no restriction").isTrue();
        assertThat(Certificates.isCaCertificate(ROOT.intermediate("No keyCertSign CA").withoutKeyCertSign().build()
                .cert())).isFalse();
        assertThat(Certificates.isCaCertificate(ROOT.issueLeaf("leaf.example.test").cert())).isFalse();
        assertThat(Certificates.isCaCertificate(ROOT.intermediate("Not a CA").ca(false).build().cert())).isFalse();
    }

    @Test
    void endEntityAndDigitalSignature() {
        TestPki.Cert leaf = ROOT.issueLeaf("leaf.example.test");
        assertThat(Certificates.isEndEntity(leaf.cert())).isTrue();
        assertThat(Certificates.isEndEntity(ROOT.cert())).isFalse();
        assertThat(Certificates.allowsDigitalSignature(leaf.cert())).isTrue();
        assertThat(Certificates.allowsDigitalSignature(ROOT.leaf("bare.example.test").noKeyUsage().build().cert()))
                .as("keyUsage absent: a document signer must state digitalSignature").isFalse();
    }
}
