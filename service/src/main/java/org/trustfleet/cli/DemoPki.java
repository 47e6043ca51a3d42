package org.trustfleet.cli;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The demo's certificate authorities, generated at every start (EC P-256, Bouncy Castle) so that no key material is
 * ever committed: roots, intermediates and TLS leaves, each with its private key.
 */
final class DemoPki {
    private static final SecureRandom RANDOM = new SecureRandom();

    private DemoPki() {}

    /** A certificate and its key pair; a CA can issue further certificates. */
    record Issued(X509Certificate certificate, KeyPair keyPair, X500Name subject) {

        /** A CA certificate issued by this one. */
        Issued intermediate(String organisation, String commonName) {
            return issue(this, name(organisation, commonName), true, null, null);
        }

        /** A TLS server certificate for {@code dnsName}, optionally naming where its issuer is (AIA caIssuers). */
        Issued leaf(String dnsName, String caIssuersUrl) {
            return issue(this, name(null, dnsName), false, dnsName, caIssuersUrl);
        }
    }

    /** A self-signed root CA. */
    static Issued root(String organisation, String commonName) {
        return issue(null, name(organisation, commonName), true, null, null);
    }

    private static X500Name name(String organisation, String commonName) {
        X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE);
        if (organisation != null) {
            name.addRDN(BCStyle.O, organisation);
        }
        return name.addRDN(BCStyle.CN, commonName).build();
    }

    private static Issued issue(Issued issuer, X500Name subject, boolean ca, String dnsName, String caIssuersUrl) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair keyPair = generator.generateKeyPair();
            KeyPair signer = issuer == null ? keyPair : issuer.keyPair();
            X500Name issuerName = issuer == null ? subject : issuer.subject();
            // backdated a day so that clock differences never make a fresh certificate "not yet valid"
            Instant notBefore = Instant.now().minus(Duration.ofDays(1));
            Instant notAfter = Instant.now().plus(Duration.ofDays(ca ? 3650 : 365));
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
                    new BigInteger(64, RANDOM).add(BigInteger.ONE), Date.from(notBefore), Date.from(notAfter),
                    subject, keyPair.getPublic());
            JcaX509ExtensionUtils ids = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    ids.createSubjectKeyIdentifier(keyPair.getPublic()));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    ids.createAuthorityKeyIdentifier(signer.getPublic()));
            if (ca) {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                builder.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            } else {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                builder.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
            }
            if (caIssuersUrl != null) {
                builder.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(
                        AccessDescription.id_ad_caIssuers,
                        new GeneralName(GeneralName.uniformResourceIdentifier, caIssuersUrl)));
            }
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
            return new Issued(certificate, keyPair, subject);
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("cannot generate a demo certificate", e);
        }
    }
}
