package org.trustfleet.agent;

import java.io.ByteArrayInputStream;
import java.nio.charset.Charset;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.util.encoders.Base64;
import org.bouncycastle.util.encoders.Hex;

/**
 * The certificate helpers the agent needs (ids, PEM, issuer checks, the signer's tenant), on the JDK/Android
 * certificate API and Bouncy Castle only. The same rules as the service's: an id is the lowercase hex SHA-256 of
 * the DER; a signer names its tenant as exactly one {@code OU=tenant:<uuid>}.
 */
public final class Certs {

    /** US-ASCII (StandardCharsets is API 19, but this reads as what it is). */
    static final Charset ASCII = Charset.forName("US-ASCII");
    /** UTF-8. */
    static final Charset UTF8 = Charset.forName("UTF-8");
    private static final Pattern ID = Pattern.compile("[0-9a-fA-F]{64}");
    private static final String TENANT_OU_PREFIX = "tenant:";

    private Certs() {
    }

    /** Lowercase hex SHA-256 of bytes. */
    public static String sha256Hex(byte[] data) {
        try {
            return Hex.toHexString(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The certificate's id: lowercase hex SHA-256 of its DER. */
    public static String sha256(X509Certificate c) {
        return sha256Hex(der(c));
    }

    /** DER bytes. */
    public static byte[] der(Certificate c) {
        try {
            return c.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }

    /** 64 hex digits in either case, returned lowercase; null for anything else. */
    public static String parseId(String value) {
        return value == null || !ID.matcher(value).matches() ? null : value.toLowerCase(Locale.ROOT);
    }

    /** Exactly one DER certificate (no trailing bytes). */
    public static X509Certificate fromDer(byte[] der) {
        try {
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            if (!Arrays.equals(c.getEncoded(), der)) {
                throw new IllegalArgumentException("not a single DER certificate");
            }
            return c;
        } catch (CertificateException | ClassCastException e) {
            throw new IllegalArgumentException("not an X.509 certificate", e);
        }
    }

    /** All certificates of a PEM text (or DER); IllegalArgumentException when there are none. */
    public static List<X509Certificate> parsePem(byte[] pem) {
        try {
            Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem));
            List<X509Certificate> out = new ArrayList<X509Certificate>();
            for (Certificate c : all) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("no certificate");
            }
            return out;
        } catch (CertificateException | ClassCastException e) {
            throw new IllegalArgumentException("not a PEM certificate", e);
        }
    }

    /** PEM text of certificates, 64-character lines. */
    public static String toPem(List<X509Certificate> certs) {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : certs) {
            String b64 = new String(Base64.encode(der(c)), ASCII);
            sb.append("-----BEGIN CERTIFICATE-----\n");
            for (int i = 0; i < b64.length(); i += 64) {
                sb.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
            }
            sb.append("-----END CERTIFICATE-----\n");
        }
        return sb.toString();
    }

    static String base64(byte[] data) {
        return new String(Base64.encode(data), ASCII);
    }

    static byte[] fromBase64(String text) {
        if (text == null || !text.matches("[A-Za-z0-9+/]*={0,2}") || text.length() % 4 != 0) {
            throw new IllegalArgumentException("not standard base64");
        }
        return Base64.decode(text);
    }

    static boolean isSelfSigned(X509Certificate c) {
        return c.getSubjectX500Principal().equals(c.getIssuerX500Principal()) && isIssuedBy(c, c);
    }

    static boolean isIssuedBy(X509Certificate child, X509Certificate issuer) {
        if (!child.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        try {
            child.verify(issuer.getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    static boolean sameSubjectAndKey(X509Certificate a, X509Certificate b) {
        return a.getSubjectX500Principal().equals(b.getSubjectX500Principal())
                && Arrays.equals(a.getPublicKey().getEncoded(), b.getPublicKey().getEncoded());
    }

    /** basicConstraints CA=true and, when keyUsage is present, keyCertSign. */
    static boolean isCa(X509Certificate c) {
        boolean[] ku = c.getKeyUsage();
        return c.getBasicConstraints() >= 0 && (ku == null || (ku.length > 5 && ku[5]));
    }

    static boolean isEndEntity(X509Certificate c) {
        return c.getBasicConstraints() < 0;
    }

    static boolean allowsDigitalSignature(X509Certificate c) {
        boolean[] ku = c.getKeyUsage();
        return ku == null || (ku.length > 0 && ku[0]);
    }

    static boolean isValidAt(X509Certificate c, long millis) {
        Date d = new Date(millis);
        return !d.before(c.getNotBefore()) && !d.after(c.getNotAfter());
    }

    /** The tenant of a payload signer ({@code OU=tenant:<lowercase uuid>}, exactly one), or null. */
    public static UUID tenantOf(X509Certificate certificate) {
        try {
            X500Name name = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
            UUID found = null;
            for (RDN rdn : name.getRDNs()) {
                for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
                    if (!atv.getType().equals(BCStyle.OU)) {
                        continue;
                    }
                    ASN1Encodable v = atv.getValue();
                    if (!(v instanceof ASN1String) || !((ASN1String) v).getString().startsWith(TENANT_OU_PREFIX)) {
                        continue;
                    }
                    String id = ((ASN1String) v).getString().substring(TENANT_OU_PREFIX.length());
                    UUID u = UUID.fromString(id);
                    if (!u.toString().equals(id) || found != null) {
                        return null;
                    }
                    found = u;
                }
            }
            return found;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
