package org.trustfleet.policy;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.trustfleet.scan.ServerFixAdvice;

/**
 * The API view of the certificates a device group must hold, each with why, and what no installation can fix.
 * {@code version} increases exactly when the set of certificates changes; reasons and advice may change without a
 * new version. Stored as {@link StoredRequirements}; the payload side receives the typed {@link CertificateSet} instead.
 *
 * @param serverFixes for each covered endpoint whose presented chain some level of the group rejects: the chain its
 *                    server should send, chosen for the group's levels (like {@code advice}, no new version)
 */
public record GroupRequirements(UUID groupId, long version, Instant computedAt, List<Certificate> certificates,
        List<Problem> unresolved, List<Hint> advice, List<EndpointServerFix> serverFixes) {

    public GroupRequirements {
        serverFixes = serverFixes == null ? List.of() : List.copyOf(serverFixes);
    }

    /** Requirements without server fixes (as written before they existed). */
    public GroupRequirements(UUID groupId, long version, Instant computedAt, List<Certificate> certificates,
            List<Problem> unresolved, List<Hint> advice) {
        this(groupId, version, computedAt, certificates, unresolved, advice, List.of());
    }

    /** The server-side fix of one endpoint for this group's levels. */
    public record EndpointServerFix(UUID endpointId, ServerFixAdvice serverFix) {}

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
