package org.trustfleet.policy;

/** Role of a delivered certificate: a self-signed root, or any other CA certificate (intermediates, cross-certs). */
public enum CertificateRole {
    ROOT,
    INTERMEDIATE
}
