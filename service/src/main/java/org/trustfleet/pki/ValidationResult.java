package org.trustfleet.pki;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Android's verdict on one presented chain against one anchor set: the path it would use (leaf first, ending at the
 * anchor) and, when rejected, the reason. {@code path} is the best candidate even on failure, empty if none exists.
 * {@code pathLimitReached} says that path building hit its work cap ({@link PathBuilder}), so a rejection may be the
 * cap's rather than Android's.
 */
public record ValidationResult(boolean trusted, List<X509Certificate> path, ValidationFailure failure,
        String detail, boolean pathLimitReached) {

    public ValidationResult {
        path = List.copyOf(path);
        if (trusted != (failure == null)) {
            throw new IllegalArgumentException("failure must be set exactly when not trusted");
        }
    }

    /** A verdict reached without hitting the path-building cap. */
    public ValidationResult(boolean trusted, List<X509Certificate> path, ValidationFailure failure, String detail) {
        this(trusted, path, failure, detail, false);
    }

    /** This verdict, marked as reached after path building hit its cap. */
    ValidationResult withPathLimitReached() {
        return new ValidationResult(trusted, path, failure, detail, true);
    }

    static ValidationResult ok(List<X509Certificate> path) {
        return new ValidationResult(true, path, null, "trusted");
    }

    static ValidationResult fail(List<X509Certificate> path, ValidationFailure failure, String detail) {
        return new ValidationResult(false, path, failure, detail);
    }

    /** Fingerprints of {@link #path()}, in order. */
    public List<String> pathSha256() {
        return path.stream().map(Sha256::of).toList();
    }

    /** The anchor that terminated the path, when a path exists. */
    public X509Certificate anchor() {
        return path.isEmpty() ? null : path.get(path.size() - 1);
    }
}
