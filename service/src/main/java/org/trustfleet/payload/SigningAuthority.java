package org.trustfleet.payload;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.EllipticCurve;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.UUID;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.trustfleet.pki.Certificates;

/**
 * The deployment's payload-signing root and the factory of per-tenant signer certificates.
 *
 * <ul>
 * <li>Root: self-signed, ECDSA P-256 / SHA256withECDSA, {@code CN=Trustfleet Payload Root <id>, O=Trustfleet},
 * basicConstraints CA pathLen 0 (critical), keyUsage keyCertSign+cRLSign (critical), SKI; 25 years by default.</li>
 * <li>Signer: ECDSA P-256, {@code CN=Trustfleet Payload Signer, OU=tenant:<uuid>, O=Trustfleet}, basicConstraints
 * CA=false (critical), keyUsage digitalSignature (critical), no extendedKeyUsage (so OpenSSL's default S/MIME-signing
 * purpose accepts it), SKI and AKI; 2 years by default.</li>
 * </ul>
 * Both are backdated by {@link #BACKDATE} to tolerate device clocks running slow. Rotation is {@link #issueSigner}
 * again: devices pin the root, so any signer it issued for their tenant verifies.
 */
public final class SigningAuthority {

    /** Default root validity. */
    public static final Duration ROOT_VALIDITY = Duration.ofDays(25L * 365);
    /** Default signer validity. */
    public static final Duration SIGNER_VALIDITY = Duration.ofDays(2L * 365);
    /** notBefore is set this far before "now". */
    public static final Duration BACKDATE = Duration.ofHours(24);

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SIG_ALG = "SHA256withECDSA";

    private final SigningKey root;

    private SigningAuthority(SigningKey root) {
        this.root = root;
    }

    /**
     * Generates a new root with default validity from {@code now} (the caller's clock). {@code rootId} ends up in the
     * CN (e.g. a deployment id).
     */
    public static SigningAuthority generate(String rootId, Instant now) {
        return generate(rootId, now.minus(BACKDATE), now.plus(ROOT_VALIDITY));
    }

    /** Generates a new root valid in {@code [notBefore, notAfter]}. */
    public static SigningAuthority generate(String rootId, Instant notBefore, Instant notAfter) {
        Objects.requireNonNull(rootId, "rootId");
        if (rootId.isBlank() || rootId.length() > 40) {
            throw new IllegalArgumentException("rootId must be 1..40 characters");
        }
        KeyPair kp = newKeyPair();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, SignerIdentity.ORGANIZATION)
                .addRDN(BCStyle.CN, SignerIdentity.ROOT_CN_PREFIX + rootId).build();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(notBefore),
                    Date.from(notAfter), subject, kp.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(kp.getPublic()));
            return new SigningAuthority(new SigningKey(sign(b, kp.getPrivate()), kp.getPrivate()));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot create payload root", e);
        }
    }

    /**
     * Wraps an existing root (e.g. loaded from the database and {@link KeyVault}). Checks that it is a self-signed CA
     * (its {@link SigningKey} holds a key that belongs to it).
     */
    public static SigningAuthority of(SigningKey root) {
        Objects.requireNonNull(root, "root");
        X509Certificate c = root.certificate();
        if (!Certificates.isSelfSigned(c) || !Certificates.isCaCertificate(c)) {
            throw new IllegalArgumentException("payload root must be a self-signed CA certificate");
        }
        return new SigningAuthority(root);
    }

    /** The root certificate and key. */
    public SigningKey root() {
        return root;
    }

    /** The root certificate (what devices pin). */
    public X509Certificate rootCertificate() {
        return root.certificate();
    }

    /**
     * Issues a fresh signer (new key pair) for the tenant with default validity from {@code now} (the caller's clock).
     * Also used for rotation.
     */
    public TenantSigner issueSigner(UUID tenantId, Instant now) {
        return issueSigner(tenantId, now.minus(BACKDATE), now.plus(SIGNER_VALIDITY));
    }

    /** Issues a fresh signer valid in {@code [notBefore, notAfter]} (clamped to the root's notAfter). */
    public TenantSigner issueSigner(UUID tenantId, Instant notBefore, Instant notAfter) {
        Objects.requireNonNull(tenantId, "tenantId");
        Instant rootEnd = root.certificate().getNotAfter().toInstant();
        if (notAfter.isAfter(rootEnd)) {
            notAfter = rootEnd;
        }
        if (!notAfter.isAfter(notBefore)) {
            throw new IllegalArgumentException("signer validity is empty (root expires " + rootEnd + ")");
        }
        KeyPair kp = newKeyPair();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, SignerIdentity.ORGANIZATION)
                .addRDN(BCStyle.OU, SignerIdentity.TENANT_OU_PREFIX + tenantId)
                .addRDN(BCStyle.CN, SignerIdentity.SIGNER_CN).build();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509Certificate issuer = root.certificate();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(notBefore),
                    Date.from(notAfter), subject, kp.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(kp.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(issuer));
            X509Certificate cert = sign(b, root.privateKey());
            return new TenantSigner(tenantId, new SigningKey(cert, kp.getPrivate()), issuer);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot issue payload signer", e);
        }
    }

    /**
     * Re-assembles a stored signer: checks the certificate was issued by this root and names a tenant (its
     * {@link SigningKey} holds a key that belongs to it).
     */
    public TenantSigner loadSigner(SigningKey signer) {
        X509Certificate c = signer.certificate();
        if (!Certificates.isIssuedBy(c, root.certificate())) {
            throw new IllegalArgumentException("signer certificate was not issued by this payload root");
        }
        UUID tenant = SignerIdentity.tenantOf(c)
                .orElseThrow(() -> new IllegalArgumentException("signer certificate names no tenant"));
        return new TenantSigner(tenant, signer, root.certificate());
    }

    /** The signature algorithm for a key: ECDSA for EC keys (what this authority issues); RSA also works. */
    static String signatureAlgorithm(PrivateKey key) {
        return "EC".equals(key.getAlgorithm()) ? SIG_ALG : "SHA256with" + key.getAlgorithm();
    }

    /** P-256 as Bouncy Castle's arithmetic has it (its base point keeps the precomputed multiples once used). */
    private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");
    private static final FixedPointCombMultiplier BASE_POINT_MULTIPLIER = new FixedPointCombMultiplier();

    /**
     * Whether the private key and the public key are one key pair. Every signer a replica loads is checked (its key and
     * certificate are stored apart), once per tenant and replica. For P-256 (the keys this authority issues) the
     * public point is worked out from the private scalar, one multiplication of the base point; other keys sign a
     * random probe and verify it, which for P-256 was several times the cost (an ECDSA signature and a verification:
     * 20 % of the delivery threads' CPU in a store change on a replica that had served 304s only, bench/README.md).
     */
    static boolean keyMatches(PrivateKey privateKey, PublicKey publicKey) {
        if (privateKey instanceof ECPrivateKey ecPrivate && publicKey instanceof ECPublicKey ecPublic
                && isP256(ecPrivate.getParams()) && isP256(ecPublic.getParams())) {
            BigInteger d = ecPrivate.getS();
            if (d.signum() <= 0 || d.compareTo(P256.getN()) >= 0) {
                return false;
            }
            try {
                ECPoint q = BASE_POINT_MULTIPLIER.multiply(P256.getG(), d).normalize();
                return q.getAffineXCoord().toBigInteger().equals(ecPublic.getW().getAffineX())
                        && q.getAffineYCoord().toBigInteger().equals(ecPublic.getW().getAffineY());
            } catch (RuntimeException e) {
                return false;
            }
        }
        try {
            String alg = signatureAlgorithm(privateKey);
            byte[] probe = new byte[32];
            RANDOM.nextBytes(probe);
            Signature s = Signature.getInstance(alg);
            s.initSign(privateKey);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(publicKey);
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** Whether the JCA parameters are P-256's: its field, equation, base point, order and cofactor. */
    private static boolean isP256(ECParameterSpec params) {
        EllipticCurve curve = params.getCurve();
        return curve.getField() instanceof ECFieldFp field
                && field.getP().equals(P256.getCurve().getField().getCharacteristic())
                && curve.getA().equals(P256.getCurve().getA().toBigInteger())
                && curve.getB().equals(P256.getCurve().getB().toBigInteger())
                && params.getGenerator().getAffineX().equals(P256.getG().getAffineXCoord().toBigInteger())
                && params.getGenerator().getAffineY().equals(P256.getG().getAffineYCoord().toBigInteger())
                && params.getOrder().equals(P256.getN()) && params.getCofactor() == P256.getH().intValueExact();
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(SIG_ALG)
                    .build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 unavailable", e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }
}
