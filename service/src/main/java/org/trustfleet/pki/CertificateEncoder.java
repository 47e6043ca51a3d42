package org.trustfleet.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSAbsentContent;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedDataGenerator;

/** Produces the export formats consoles and devices import: PEM bundles, DER and certs-only PKCS#7. */
public final class CertificateEncoder {

    private CertificateEncoder() {
    }

    /** PEM bundle, 64-column base64, LF line endings, one block per certificate in the given order. */
    public static String toPem(List<X509Certificate> certificates) {
        StringBuilder sb = new StringBuilder();
        Base64.Encoder encoder = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        for (X509Certificate c : certificates) {
            sb.append("-----BEGIN CERTIFICATE-----\n")
                    .append(encoder.encodeToString(der(c)))
                    .append("\n-----END CERTIFICATE-----\n");
        }
        return sb.toString();
    }

    /** DER of one certificate. */
    public static byte[] der(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }

    /**
     * Certs-only ("degenerate") CMS SignedData, definite-length encoded, as in RFC 7030 {@code /cacerts}: no signers, no content; what
     * Windows, Android and openssl import as {@code .p7b}.
     */
    public static byte[] toPkcs7Der(List<X509Certificate> certificates) {
        try {
            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            generator.addCertificates(new JcaCertStore(certificates));
            // Definite-length encoding keeps the caller's order (strict DER would sort the SET); every importer accepts it.
            return generator.generate(new CMSAbsentContent(), false).getEncoded("DL");
        } catch (CertificateEncodingException | CMSException | IOException e) {
            throw new IllegalArgumentException("cannot encode PKCS#7", e);
        }
    }

    /** {@link #toPkcs7Der} wrapped in {@code -----BEGIN PKCS7-----}. */
    public static String toPkcs7Pem(List<X509Certificate> certificates) {
        Base64.Encoder encoder = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        return "-----BEGIN PKCS7-----\n" + encoder.encodeToString(toPkcs7Der(certificates))
                + "\n-----END PKCS7-----\n";
    }
}
