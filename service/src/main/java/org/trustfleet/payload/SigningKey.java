package org.trustfleet.payload;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;
import org.trustfleet.pki.Sha256;

/**
 * A certificate with its private key (the payload root or a tenant signer). {@link #toString()} never shows the key:
 * store the key only through {@link KeyVault}.
 */
public record SigningKey(X509Certificate certificate, PrivateKey privateKey) {

    public SigningKey {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
    }

    /** SHA-256 of the certificate. */
    public String sha256() {
        return Sha256.of(certificate);
    }

    @Override
    public String toString() {
        return "SigningKey[certificate=" + certificate.getSubjectX500Principal().getName() + " sha256=" + sha256()
                + ", privateKey=<redacted>]";
    }
}
