package org.trustfleet.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
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
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.X509ObjectIdentifiers;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test certificate factory: builds roots, intermediates, leaves and cross-signatures in memory with Bouncy Castle so
 * no key material is ever committed. Shared by the pki tests and (later) the scanner's TLS server tests.
 *
 * <pre>
 * TestPki.Cert root = TestPki.root("Root A");
 * TestPki.Cert ca = root.issueIntermediate("Int A");
 * TestPki.Cert leaf = ca.issueLeaf("sts.example.test");
 * TestPki.Cert custom = ca.leaf("old.example.test").notAfter(Instant.now().minusSeconds(60)).build();
 * TestPki.Cert newRootViaOld = newRoot.crossSignedBy(oldRoot);
 * </pre>
 *
 * Keys: EC P-256 by default (fresh per certificate, fast). RSA keys are generated once per size per JVM and reused,
 * so two RSA certificates of the same size share a key: use EC when a test needs distinct keys under one name.
 */
public final class TestPki {

    /** Key algorithms a test can ask for. */
    public enum KeyType { EC_P256, EC_P384, RSA_1024, RSA_2048 }

    private static final Map<KeyType, KeyPair> RSA_CACHE = new EnumMap<>(KeyType.class);
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Backdating avoids flakiness from clock skew between "now" in the builder and "now" in the assertion. */
    private static final Duration BACKDATE = Duration.ofDays(1);

    private TestPki() {
    }

    /** A self-signed root CA with defaults (EC P-256, valid from yesterday for 10 years). */
    public static Cert root(String commonName) {
        return rootBuilder(commonName).build();
    }

    /** Builder for a self-signed root CA. */
    public static Builder rootBuilder(String commonName) {
        return new Builder(null, name(commonName)).ca(true);
    }

    /** Generates (or, for RSA, reuses) a key pair of the given type. */
    public static synchronized KeyPair keyPair(KeyType type) {
        try {
            switch (type) {
                case EC_P256, EC_P384 -> {
                    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                    g.initialize(new ECGenParameterSpec(type == KeyType.EC_P256 ? "secp256r1" : "secp384r1"));
                    return g.generateKeyPair();
                }
                default -> {
                    return RSA_CACHE.computeIfAbsent(type, t -> {
                        try {
                            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                            g.initialize(t == KeyType.RSA_1024 ? 1024 : 2048);
                            return g.generateKeyPair();
                        } catch (GeneralSecurityException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Trustfleet Test")
                .addRDN(BCStyle.CN, commonName).build();
    }

    /** An issued certificate together with its private key, able to issue further certificates. */
    public record Cert(X509Certificate cert, KeyPair keyPair, X500Name subject) {

        /** Fingerprint of the certificate. */
        public String sha256() {
            return Sha256.of(cert);
        }

        /** Builder for a CA certificate issued by this one. */
        public Builder intermediate(String commonName) {
            return new Builder(this, name(commonName)).ca(true);
        }

        /** A CA certificate issued by this one, with defaults. */
        public Cert issueIntermediate(String commonName) {
            return intermediate(commonName).build();
        }

        /** Builder for a TLS server leaf; the DNS name is both CN and the single SAN unless changed. */
        public Builder leaf(String dnsName) {
            return new Builder(this, name(dnsName)).ca(false).dns(dnsName).serverAuth(true);
        }

        /** A TLS server leaf for {@code dnsName}, with defaults. */
        public Cert issueLeaf(String dnsName) {
            return leaf(dnsName).build();
        }

        /**
         * The cross-certificate: this CA's subject and key, issued by {@code other} (e.g. a new root made valid on
         * old devices by an old root). The result can issue certificates (same key as this one).
         */
        public Cert crossSignedBy(Cert other) {
            return crossSign(other).build();
        }

        /** Builder for {@link #crossSignedBy} when the cross-certificate needs options. */
        public Builder crossSign(Cert other) {
            return new Builder(other, subject).ca(true).key(keyPair);
        }
    }

    /** Options for one certificate; every method returns this builder. */
    public static final class Builder {
        private final Cert issuer;
        private final X500Name subject;
        private KeyType keyType = KeyType.EC_P256;
        private KeyPair keyPair;
        private Instant notBefore = Instant.now().minus(BACKDATE);
        private Instant notAfter = Instant.now().plus(Duration.ofDays(3650));
        private boolean ca;
        private Integer pathLen;
        private boolean keyUsage = true;
        private boolean keyCertSign = true;
        private boolean serverAuth;
        private final List<String> dns = new ArrayList<>();
        private final List<String> ips = new ArrayList<>();
        private String[] aiaCaIssuers = new String[0];
        private String signatureAlgorithm;
        private final List<String> permittedDns = new ArrayList<>();
        private final List<String> excludedDns = new ArrayList<>();
        private boolean keyIds = true;

        private Builder(Cert issuer, X500Name subject) {
            this.issuer = issuer;
            this.subject = subject;
        }

        public Builder keyType(KeyType type) {
            this.keyType = type;
            this.keyPair = null;
            return this;
        }

        public Builder key(KeyPair pair) {
            this.keyPair = pair;
            return this;
        }

        public Builder validity(Instant from, Instant to) {
            this.notBefore = from;
            this.notAfter = to;
            return this;
        }

        public Builder notBefore(Instant from) {
            this.notBefore = from;
            return this;
        }

        public Builder notAfter(Instant to) {
            this.notAfter = to;
            return this;
        }

        /** Valid window entirely in the past. */
        public Builder expired() {
            return validity(Instant.now().minus(Duration.ofDays(400)), Instant.now().minus(Duration.ofDays(1)));
        }

        /** Valid window entirely in the future. */
        public Builder notYetValid() {
            return validity(Instant.now().plus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(400)));
        }

        public Builder ca(boolean isCa) {
            this.ca = isCa;
            return this;
        }

        public Builder pathLen(int len) {
            this.pathLen = len;
            return this;
        }

        /** Omit the keyUsage extension altogether. */
        public Builder noKeyUsage() {
            this.keyUsage = false;
            return this;
        }

        /** For a CA: keyUsage present but without keyCertSign. */
        public Builder withoutKeyCertSign() {
            this.keyCertSign = false;
            return this;
        }

        public Builder serverAuth(boolean on) {
            this.serverAuth = on;
            return this;
        }

        /** Adds SAN dNSName entries (the leaf builder starts with its own name; call {@link #clearSan} first). */
        public Builder dns(String... names) {
            dns.addAll(List.of(names));
            return this;
        }

        public Builder ip(String... addresses) {
            ips.addAll(List.of(addresses));
            return this;
        }

        public Builder clearSan() {
            dns.clear();
            ips.clear();
            return this;
        }

        /** AIA caIssuers URLs, in order (several, e.g. an ldap and an http one, as some CAs publish). */
        public Builder aia(String... caIssuersUrls) {
            this.aiaCaIssuers = caIssuersUrls.clone();
            return this;
        }

        /** JCA signature name, e.g. {@code SHA1withRSA}; default SHA256withECDSA / SHA256withRSA by issuer key. */
        public Builder signatureAlgorithm(String name) {
            this.signatureAlgorithm = name;
            return this;
        }

        public Builder permittedDns(String... subtrees) {
            permittedDns.addAll(List.of(subtrees));
            return this;
        }

        public Builder excludedDns(String... subtrees) {
            excludedDns.addAll(List.of(subtrees));
            return this;
        }

        /** Omit SKI/AKI, as some old or private CAs do. */
        public Builder noKeyIdentifiers() {
            this.keyIds = false;
            return this;
        }

        public Cert build() {
            try {
                KeyPair pair = keyPair != null ? keyPair : keyPair(keyType);
                KeyPair signer = issuer == null ? pair : issuer.keyPair();
                X500Name issuerName = issuer == null ? subject : issuer.subject();
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
                        BigInteger.valueOf(SERIAL.incrementAndGet()).shiftLeft(16)
                                .add(BigInteger.valueOf(RANDOM.nextInt(1 << 16))),
                        Date.from(notBefore), Date.from(notAfter), subject, pair.getPublic());
                JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
                if (keyIds) {
                    b.addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(pair.getPublic()));
                    b.addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(signer.getPublic()));
                }
                if (ca) {
                    b.addExtension(Extension.basicConstraints, true,
                            pathLen == null ? new BasicConstraints(true) : new BasicConstraints(pathLen));
                    if (keyUsage) {
                        int bits = KeyUsage.cRLSign | KeyUsage.digitalSignature;
                        if (keyCertSign) {
                            bits |= KeyUsage.keyCertSign;
                        }
                        b.addExtension(Extension.keyUsage, true, new KeyUsage(bits));
                    }
                } else {
                    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                    if (keyUsage) {
                        int bits = KeyUsage.digitalSignature;
                        if ("RSA".equals(pair.getPublic().getAlgorithm())) {
                            bits |= KeyUsage.keyEncipherment;
                        }
                        b.addExtension(Extension.keyUsage, true, new KeyUsage(bits));
                    }
                }
                if (serverAuth) {
                    b.addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
                }
                if (!dns.isEmpty() || !ips.isEmpty()) {
                    List<GeneralName> names = new ArrayList<>();
                    dns.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
                    ips.forEach(i -> names.add(new GeneralName(GeneralName.iPAddress, i)));
                    b.addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(names.toArray(GeneralName[]::new)));
                }
                if (aiaCaIssuers.length > 0) {
                    AccessDescription[] descriptions = new AccessDescription[aiaCaIssuers.length];
                    for (int i = 0; i < aiaCaIssuers.length; i++) {
                        descriptions[i] = new AccessDescription(X509ObjectIdentifiers.id_ad_caIssuers,
                                new GeneralName(GeneralName.uniformResourceIdentifier, aiaCaIssuers[i]));
                    }
                    b.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(descriptions));
                }
                if (!permittedDns.isEmpty() || !excludedDns.isEmpty()) {
                    b.addExtension(Extension.nameConstraints, true, new NameConstraints(
                            subtrees(permittedDns), subtrees(excludedDns)));
                }
                String alg = signatureAlgorithm != null ? signatureAlgorithm
                        : "EC".equals(signer.getPublic().getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
                JcaContentSignerBuilder signing = new JcaContentSignerBuilder(alg);
                if (alg.contains("MGF1")) {
                    // RSASSA-PSS by its Bouncy Castle name: the JDK names it otherwise (and is not given BC)
                    signing.setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider());
                }
                X509Certificate cert = new JcaX509CertificateConverter()
                        .getCertificate(b.build(signing.build(signer.getPrivate())));
                return new Cert(cert, pair, subject);
            } catch (Exception e) {
                throw new IllegalStateException("cannot build test certificate " + subject, e);
            }
        }

        private static GeneralSubtree[] subtrees(List<String> names) {
            if (names.isEmpty()) {
                return null;
            }
            return names.stream().map(n -> new GeneralSubtree(new GeneralName(GeneralName.dNSName, n)))
                    .toArray(GeneralSubtree[]::new);
        }
    }

    /** Certificates of the given test certs, in order (handy for presented chains). */
    public static List<X509Certificate> certs(Cert... certs) {
        List<X509Certificate> out = new ArrayList<>();
        for (Cert c : certs) {
            out.add(c.cert());
        }
        return out;
    }

}
