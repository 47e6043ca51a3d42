package org.trustfleet.pki;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.DSAPublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

/**
 * Small, exception-free predicates over certificates shared by the path builder, the validator and the analyzer, so
 * that "is this the issuer of that" means the same thing everywhere.
 */
public final class Certificates {

    /** Signature algorithm OIDs Conscrypt's ChainStrengthAnalyzer refuses: MD2/MD4/MD5/SHA-1 with RSA, DSA, ECDSA. */
    static final Set<String> WEAK_SIGNATURE_OIDS = Set.of(
            "1.2.840.113549.1.1.2", "1.2.840.113549.1.1.3", "1.2.840.113549.1.1.4", "1.2.840.113549.1.1.5",
            "1.2.840.10040.4.3", "1.2.840.10045.4.1");

    private Certificates() {
    }

    /** Subject DN equals issuer DN (compared as X500Principal, i.e. canonical DER, as Conscrypt does). */
    public static boolean isSelfIssued(X509Certificate c) {
        return c.getSubjectX500Principal().equals(c.getIssuerX500Principal());
    }

    /** Self-issued and verifiable with its own key. */
    public static boolean isSelfSigned(X509Certificate c) {
        return isSelfIssued(c) && verifies(c, c.getPublicKey());
    }

    /** True when {@code child}'s signature verifies with {@code key}; never throws. */
    public static boolean verifies(X509Certificate child, PublicKey key) {
        try {
            String provider = SignatureVerdicts.providerFor(child);
            if (provider == null) {
                child.verify(key);
            } else {
                child.verify(key, provider);
            }
            return true;
        } catch (Exception | LinkageError e) {
            // Any failure (bad signature, unsupported algorithm, malformed key) means "not this issuer".
            return false;
        }
    }

    /** Candidate issuer test by name only: cheap prefilter before the signature check. */
    public static boolean nameChains(X509Certificate child, X509Certificate issuer) {
        return child.getIssuerX500Principal().equals(issuer.getSubjectX500Principal());
    }

    /** Name chains and signature verifies: {@code issuer} really issued {@code child}. */
    public static boolean isIssuedBy(X509Certificate child, X509Certificate issuer) {
        return nameChains(child, issuer) && verifies(child, issuer.getPublicKey());
    }

    /** Same subject and same public key: the Android notion of "this certificate is that anchor". */
    public static boolean sameSubjectAndKey(X509Certificate a, X509Certificate b) {
        return a.getSubjectX500Principal().equals(b.getSubjectX500Principal())
                && Arrays.equals(a.getPublicKey().getEncoded(), b.getPublicKey().getEncoded());
    }

    /** Subject key identifier bytes, if the extension is present and well formed. */
    public static Optional<byte[]> subjectKeyId(X509Certificate c) {
        try {
            byte[] ext = c.getExtensionValue(Extension.subjectKeyIdentifier.getId());
            if (ext == null) {
                return Optional.empty();
            }
            return Optional.of(SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets())
                    .getKeyIdentifier());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Authority key identifier's keyIdentifier bytes, if present and well formed. */
    public static Optional<byte[]> authorityKeyId(X509Certificate c) {
        try {
            byte[] ext = c.getExtensionValue(Extension.authorityKeyIdentifier.getId());
            if (ext == null) {
                return Optional.empty();
            }
            return Optional.ofNullable(AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets())
                    .getKeyIdentifier());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The child's AKI equals the candidate's SKI: a strong hint, used only for ordering candidates. */
    public static boolean keyIdsMatch(X509Certificate child, X509Certificate issuer) {
        Optional<byte[]> aki = authorityKeyId(child);
        Optional<byte[]> ski = subjectKeyId(issuer);
        return aki.isPresent() && ski.isPresent() && Arrays.equals(aki.get(), ski.get());
    }

    /** Key size in bits (RSA modulus, EC field size, DSA P), or -1 when unknown. */
    public static int keySizeBits(PublicKey key) {
        try {
            if (key instanceof RSAPublicKey rsa) {
                return rsa.getModulus().bitLength();
            }
            if (key instanceof ECPublicKey ec) {
                return ec.getParams().getCurve().getField().getFieldSize();
            }
            if (key instanceof DSAPublicKey dsa) {
                return dsa.getParams().getP().bitLength();
            }
        } catch (RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** True when the signature algorithm is MD2/MD4/MD5/SHA-1 based. */
    public static boolean hasWeakSignature(X509Certificate c) {
        String oid = c.getSigAlgOID();
        return oid != null && WEAK_SIGNATURE_OIDS.contains(oid);
    }

    /** Whether {@code now} falls in the certificate's validity window (bounds inclusive, as in X.509). */
    public static boolean isValidAt(X509Certificate c, Instant now) {
        return !now.isBefore(c.getNotBefore().toInstant()) && !now.isAfter(c.getNotAfter().toInstant());
    }

    /**
     * The one answer to "is this a CA certificate Trustfleet may deliver, store as an anchor or sign with": the
     * basicConstraints extension says CA=true and, when keyUsage is present, it includes keyCertSign (RFC 5280
     * 4.2.1.3/4.2.1.9). Android (Conscrypt) would not check an installed anchor's own keyUsage, but a CA whose key may
     * not sign certificates is a misissued or misused certificate, so it is refused at every door (input, policy,
     * payload roots) with this same rule, and what is accepted at input is what is delivered.
     */
    public static boolean isCaCertificate(X509Certificate c) {
        if (c.getBasicConstraints() < 0) {
            return false;
        }
        boolean[] keyUsage = c.getKeyUsage();
        return keyUsage == null || (keyUsage.length > KEY_CERT_SIGN && keyUsage[KEY_CERT_SIGN]);
    }

    /** Whether the certificate is an end entity (basicConstraints absent or CA=false), e.g. a payload signer. */
    public static boolean isEndEntity(X509Certificate c) {
        return c.getBasicConstraints() < 0;
    }

    /** Whether keyUsage is present and includes digitalSignature (what a signer of documents needs). */
    public static boolean allowsDigitalSignature(X509Certificate c) {
        boolean[] keyUsage = c.getKeyUsage();
        return keyUsage != null && keyUsage.length > 0 && keyUsage[0];
    }

    /** Index of keyCertSign in {@link X509Certificate#getKeyUsage()}. */
    private static final int KEY_CERT_SIGN = 5;
}
