package org.trustfleet.policy;

import java.security.cert.X509Certificate;
import java.time.Instant;
import javax.security.auth.x500.X500Principal;
import org.trustfleet.pki.Certificates;

/** A certificate named by an analysis, with the facts stage 2 needs precomputed (no crypto in stage 2). */
public record KnownCertificate(X509Certificate certificate, CertificateRole role, String subject, Instant notAfter) {

    /** Computes role (self-signed = ROOT), RFC 2253 subject and notAfter. */
    public static KnownCertificate of(X509Certificate c) {
        return new KnownCertificate(c, Certificates.isSelfSigned(c) ? CertificateRole.ROOT
                : CertificateRole.INTERMEDIATE, c.getSubjectX500Principal().getName(X500Principal.RFC2253),
                c.getNotAfter().toInstant());
    }

    static KnownCertificate of(X509Certificate c, CertificateRole role) {
        return new KnownCertificate(c, role, c.getSubjectX500Principal().getName(X500Principal.RFC2253),
                c.getNotAfter().toInstant());
    }
}
