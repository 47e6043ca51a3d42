package org.trustfleet.pki;

import java.security.cert.X509Certificate;
import java.time.Instant;
import javax.security.auth.x500.X500Principal;

/** The identifying facts of a certificate that scans, requirements and reports show without shipping the DER. */
public record CertificateSummary(String sha256, String subject, String issuer, Instant notBefore, Instant notAfter,
        boolean isCa, boolean selfSigned) {

    /** Summarises a certificate; subject and issuer are RFC 2253 strings. */
    public static CertificateSummary of(X509Certificate certificate) {
        return new CertificateSummary(
                Sha256.of(certificate),
                certificate.getSubjectX500Principal().getName(X500Principal.RFC2253),
                certificate.getIssuerX500Principal().getName(X500Principal.RFC2253),
                certificate.getNotBefore().toInstant(),
                certificate.getNotAfter().toInstant(),
                certificate.getBasicConstraints() >= 0,
                Certificates.isSelfSigned(certificate));
    }
}
