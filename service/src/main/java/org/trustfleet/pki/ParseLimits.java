package org.trustfleet.pki;

/**
 * Bounds applied while parsing untrusted uploads and handshakes, so a hostile or broken input cannot exhaust memory.
 */
public record ParseLimits(int maxBytes, int maxCertificates) {

    /** Generous for real bundles (a full platform store is ~150 roots, ~250 KB PEM), small enough to be safe. */
    public static final ParseLimits DEFAULT = new ParseLimits(4 * 1024 * 1024, 1000);

    public ParseLimits {
        if (maxBytes <= 0 || maxCertificates <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }
}
