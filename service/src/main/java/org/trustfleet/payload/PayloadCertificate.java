package org.trustfleet.payload;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.policy.CertificateRole;
import org.trustfleet.pki.Sha256;

/**
 * One entry of {@code certificates[]} in a payload: {@code {sha256, role, der, subject, notAfter}}.
 *
 * @param sha256   lowercase hex SHA-256 of {@code der} (the Trustfleet certificate id)
 * @param role     root or intermediate (the policy engine's role; JSON {@code "root"} / {@code "intermediate"})
 * @param der      standard base64 (RFC 4648, with padding, no line breaks) of the certificate's DER
 * @param subject  RFC 2253 subject, informational
 * @param notAfter the certificate's notAfter, informational
 */
public record PayloadCertificate(String sha256, CertificateRole role, String der, String subject, Instant notAfter) {

    /** Validates the shape: non-null fields, lowercase 64-hex id, base64 DER whose SHA-256 equals {@code sha256}. */
    public PayloadCertificate {
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(der, "der");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(notAfter, "notAfter");
        // the document is written with lowercase ids; a signed payload naming one otherwise was not written by us
        if (!Sha256.parse(sha256).map(sha256::equals).orElse(false)) {
            throw new IllegalArgumentException("sha256 must be 64 lowercase hex characters");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(der);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("der is not standard base64 for certificate " + sha256, e);
        }
        if (!Sha256.hex(bytes).equals(sha256)) {
            throw new IllegalArgumentException("SHA-256 of der does not match sha256 " + sha256);
        }
    }

    /** Builds the entry for a certificate, filling every field from it. */
    public static PayloadCertificate of(X509Certificate certificate, CertificateRole role) {
        return new PayloadCertificate(Sha256.of(certificate), role,
                Base64.getEncoder().encodeToString(CertificateEncoder.der(certificate)),
                certificate.getSubjectX500Principal().getName(X500Principal.RFC2253),
                certificate.getNotAfter().toInstant());
    }

    /** Decoded DER bytes (a fresh copy). */
    public byte[] derBytes() {
        return Base64.getDecoder().decode(der);
    }

    /**
     * Parses {@code der} as exactly one DER X.509 certificate (no PEM, no trailing bytes); throws
     * {@link IllegalArgumentException} otherwise.
     */
    public X509Certificate certificate() {
        byte[] bytes = derBytes();
        try {
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(bytes));
            if (!Arrays.equals(c.getEncoded(), bytes)) {
                throw new IllegalArgumentException("der of " + sha256 + " is not a single DER certificate");
            }
            return c;
        } catch (CertificateException | ClassCastException e) {
            throw new IllegalArgumentException("der of " + sha256 + " is not an X.509 certificate", e);
        }
    }
}
