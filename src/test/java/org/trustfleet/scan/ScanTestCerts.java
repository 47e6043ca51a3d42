package org.trustfleet.scan;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.io.ByteArrayInputStream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Generates throw-away EC P-256 test PKIs in memory, so no key material is ever committed. */
final class ScanTestCerts {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A certificate with its key pair. */
    record Issued(X509Certificate cert, KeyPair keys) {
        PrivateKey key() {
            return keys.getPrivate();
        }
    }

    /** A root, an intermediate and a leaf (SAN {@code dnsName}, AIA pointing at {@code leafAiaUrl}). */
    record Pki(Issued root, Issued intermediate, Issued leaf) {
        List<X509Certificate> fullChain() {
            return List.of(leaf.cert(), intermediate.cert(), root.cert());
        }
    }

    private ScanTestCerts() {
    }

    static Pki pki(String dnsName, String leafAiaUrl) {
        Issued root = root("Test Root " + dnsName);
        Issued intermediate = ca("Test Intermediate " + dnsName, root, null);
        Issued leaf = leaf(dnsName, intermediate, leafAiaUrl);
        return new Pki(root, intermediate, leaf);
    }

    static Issued root(String cn) {
        return build(cn, null, true, null, List.of());
    }

    static Issued ca(String cn, Issued issuer, String aiaUrl) {
        return build(cn, issuer, true, null, aiaUrl == null ? List.of() : List.of(aiaUrl));
    }

    static Issued leaf(String dnsName, Issued issuer, String aiaUrl) {
        return build(dnsName, issuer, false, dnsName, aiaUrl == null ? List.of() : List.of(aiaUrl));
    }

    /** Leaf first, then {@code length - 1} CAs each issuing the previous one; the last is a self-signed root. */
    static List<Issued> longChain(int length) {
        List<Issued> rootFirst = new ArrayList<>();
        Issued root = root("Long Chain CA 0");
        rootFirst.add(root);
        for (int i = 1; i < length - 1; i++) {
            rootFirst.add(ca("Long Chain CA " + i, rootFirst.get(i - 1), null));
        }
        rootFirst.add(leaf("long.test", rootFirst.get(rootFirst.size() - 1), null));
        List<Issued> leafFirst = new ArrayList<>(rootFirst);
        java.util.Collections.reverse(leafFirst);
        return leafFirst;
    }

    static Issued build(String cn, Issued issuer, boolean isCa, String dnsName, List<String> aiaUrls) {
        try {
            KeyPair keys = ecKeyPair();
            X500Name subject = new X500Name("CN=" + cn + ",O=Trustfleet Test");
            X500Name issuerName = issuer == null ? subject
                    : X500Name.getInstance(issuer.cert().getSubjectX500Principal().getEncoded());
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
                    new BigInteger(64, RANDOM).add(BigInteger.ONE), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(30))), subject, keys.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            b.addExtension(Extension.keyUsage, true, isCa
                    ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
                    : new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            if (issuer != null) {
                b.addExtension(Extension.authorityKeyIdentifier, false,
                        utils.createAuthorityKeyIdentifier(issuer.keys().getPublic()));
            }
            if (dnsName != null) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
            }
            if (!aiaUrls.isEmpty()) {
                AccessDescription[] ds = aiaUrls.stream()
                        .map(u -> new AccessDescription(AccessDescription.id_ad_caIssuers,
                                new GeneralName(GeneralName.uniformResourceIdentifier, u)))
                        .toArray(AccessDescription[]::new);
                b.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(ds));
            }
            PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.key();
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(signingKey);
            X509CertificateHolder holder = b.build(signer);
            return new Issued(toX509(holder.getEncoded()), keys);
        } catch (Exception e) {
            throw new IllegalStateException("test certificate generation failed", e);
        }
    }

    static KeyPair ecKeyPair() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    static X509Certificate toX509(byte[] der) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }

    /** Certs-only PKCS#7 SignedData, DER (as served at .p7c AIA URLs and EST /cacerts). */
    static byte[] pkcs7(X509Certificate... certs) {
        try {
            CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
            gen.addCertificates(new JcaCertStore(List.of(certs)));
            return gen.generate(new CMSProcessableByteArray(new byte[0]), false).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(X509Certificate... certs) {
        StringBuilder sb = new StringBuilder();
        Base64.Encoder enc = Base64.getMimeEncoder(64, "\n".getBytes());
        for (X509Certificate c : certs) {
            try {
                sb.append("-----BEGIN CERTIFICATE-----\n").append(enc.encodeToString(c.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return sb.toString();
    }

    static byte[] der(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
