package org.trustfleet.pki;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/** The one certificate identifier used across Trustfleet: lowercase hex SHA-256 of the DER encoding. */
public final class Sha256 {

    private Sha256() {
    }

    /** Lowercase hex SHA-256 of arbitrary bytes. */
    public static String hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256, so this is a broken runtime, not an input problem.
            throw new IllegalStateException(e);
        }
    }

    /** Fingerprint of a certificate (over its DER encoding). */
    public static String of(X509Certificate certificate) {
        try {
            return hex(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }
}
