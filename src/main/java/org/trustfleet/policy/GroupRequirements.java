package org.trustfleet.policy;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The API view of the certificates a device group must hold, each with why, and what no installation can fix.
 * {@code version} increases exactly when the set of certificates changes; reasons and advice may change without a
 * new version. Stored as {@link StoredRequirements}; the payload side receives the typed {@link CertificateSet} instead.
 */
public record GroupRequirements(UUID groupId, long version, Instant computedAt, List<Certificate> certificates,
        List<Problem> unresolved, List<Hint> advice) {

    /** A certificate to deliver. {@code role} is {@code root} or {@code intermediate}. */
    public record Certificate(String sha256, String role, String subject, Instant notAfter, List<Reason> reasons) {}

    /** What no installation can fix for an endpoint at some API levels. */
    public record Problem(UUID endpointId, List<Integer> apiLevels, UnresolvedCode code, String detail,
            String sha256) {}

    /** Advice for the admin (e.g. fix the server; apps must opt in to user CAs); endpointId null = group-wide. */
    public record Hint(UUID endpointId, AdviceCode code, String sha256, String detail) {}

    public List<String> sha256s() {
        return certificates.stream().map(Certificate::sha256).toList();
    }
}
