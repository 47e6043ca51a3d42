package org.trustfleet.pki;

import java.util.Objects;
import java.util.Optional;

/** One observation about a scanned chain, with the certificate it concerns, phrased for an administrator. */
public record Finding(FindingCode code, String sha256, String detail) {

    public Finding {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(detail, "detail");
    }

    /** A finding about the chain as a whole. */
    public static Finding of(FindingCode code, String detail) {
        return new Finding(code, null, detail);
    }

    /** A finding about one certificate. */
    public static Finding about(FindingCode code, String sha256, String detail) {
        return new Finding(code, sha256, detail);
    }

    /** The fingerprint of the concerned certificate, if the finding is about one. */
    public Optional<String> certificate() {
        return Optional.ofNullable(sha256);
    }
}
