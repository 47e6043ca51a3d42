package org.trustfleet.truststore;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.pki.CertificateParseException;
import org.trustfleet.pki.CertificateParser;
import org.trustfleet.pki.Certificates;
import org.trustfleet.pki.ParseLimits;
import org.trustfleet.pki.Sha256;

/** Certificates uploaded by users (PEM bundles), checked and turned into validation errors that name the block. */
public final class CertificateInput {
    /** At most this many certificates in one upload; a whole Android store has about 150. */
    static final ParseLimits LIMITS = new ParseLimits(1024 * 1024, 500);

    private CertificateInput() {}

    /** Parses a PEM bundle of CA certificates; every block must parse and be a CA certificate. */
    public static List<X509Certificate> caCertificates(String pem, String field) {
        if (pem == null || pem.isBlank()) {
            throw TrustfleetException.validation("'" + field + "' is required: one or more PEM certificates");
        }
        List<X509Certificate> certificates;
        try {
            certificates = CertificateParser.parse(pem.getBytes(StandardCharsets.UTF_8), LIMITS);
        } catch (CertificateParseException e) {
            throw TrustfleetException.validation("'" + field + "' " + e.getMessage());
        }
        if (certificates.isEmpty()) {
            throw TrustfleetException.validation("'" + field + "' holds no certificate");
        }
        for (int i = 0; i < certificates.size(); i++) {
            X509Certificate certificate = certificates.get(i);
            if (!Certificates.isCaCertificate(certificate)) {
                throw TrustfleetException.validation("'" + field + "' block " + (i + 1) + ": certificate "
                        + Sha256.of(certificate) + " (" + certificate.getSubjectX500Principal().getName()
                        + ") is not a CA certificate (basicConstraints CA=true and, when keyUsage is present,"
                        + " keyCertSign)");
            }
        }
        return certificates;
    }
}
