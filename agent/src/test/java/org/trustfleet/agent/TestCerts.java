package org.trustfleet.agent;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates generated in the test: a root, an intermediate under it, a leaf for a host name. */
public final class TestCerts {

    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

    /** A certificate and its key pair. */
    public record Cert(X509Certificate cert, KeyPair keyPair) {
        public String sha256() {
            return Certs.sha256(cert);
        }

        public Cert issueIntermediate(String cn) {
            return issue(cn, this, true, null);
        }

        public Cert issueLeaf(String host) {
            return issue(host, this, false, host);
        }

        /** A payload signer naming {@code tenant} as the service's signers do ({@code OU=tenant:<uuid>}). */
        public Cert issueSigner(java.util.UUID tenant) {
            return issueDn("CN=Trustfleet Payload Signer,OU=tenant:" + tenant + ",O=Trustfleet", this, false, null);
        }
    }

    private TestCerts() {
    }

    public static Cert root(String cn) {
        return issue(cn, null, true, null);
    }

    private static Cert issue(String cn, Cert issuer, boolean ca, String dnsName) {
        return issueDn("CN=" + cn + ",O=Trustfleet Test", issuer, ca, dnsName);
    }

    private static Cert issueDn(String dn, Cert issuer, boolean ca, String dnsName) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            X500Name subject = new X500Name(dn);
            X500Name issuerName = issuer == null ? subject
                    : X500Name.getInstance(issuer.cert().getSubjectX500Principal().getEncoded());
            long now = System.currentTimeMillis();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), new Date(now - 3_600_000L),
                    new Date(now + 30L * 24 * 3_600_000L), subject, kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, ca ? new BasicConstraints(1) : new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                    : KeyUsage.digitalSignature));
            if (dnsName != null) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
            }
            KeyPair signer = issuer == null ? kp : issuer.keyPair();
            X509Certificate c = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
            return new Cert(c, kp);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
