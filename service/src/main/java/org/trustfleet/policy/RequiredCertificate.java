package org.trustfleet.policy;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/** One certificate the group's devices must hold, with every reason it is there. */
public record RequiredCertificate(String sha256, CertificateRole role, X509Certificate certificate, String subject,
        Instant notAfter, List<Reason> reasons) {
    public RequiredCertificate {
        reasons = List.copyOf(reasons);
    }
}
