package org.trustfleet.payload;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;
import org.trustfleet.pki.Sha256;

/**
 * A certificate with its private key (the payload root or a tenant signer), checked to belong together when made: a
 * signature by the key verifies with the certificate's public key, so that what it signs can rely on that once
 * rather than at every signature. {@link #toString()} never shows the key: store the key only through
 * {@link KeyVault}.
 */
public record SigningKey(X509Certificate certificate, PrivateKey privateKey) {

    public SigningKey {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
        if (!SigningAuthority.keyMatches(privateKey, certificate.getPublicKey())) {
            throw new IllegalArgumentException("the private key does not belong to the certificate "
                    + certificate.getSubjectX500Principal().getName());
        }
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
