package org.trustfleet.pki;

/** The encodings Trustfleet accepts and exports; detected from the bytes because uploads rarely carry a reliable type. */
public enum CertificateFormat {
    /** One or more {@code -----BEGIN CERTIFICATE-----} (or PKCS7) blocks. */
    PEM,
    /** A single DER-encoded X.509 certificate ({@code .cer}/{@code .crt}). */
    DER,
    /** A certs-only CMS SignedData in DER ({@code .p7b}, EST {@code /cacerts}). */
    PKCS7_DER
}
