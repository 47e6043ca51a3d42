package org.trustfleet.policy;

import java.util.List;
import java.util.UUID;

/**
 * A group's computed requirements. Orders (all deterministic): certificates by role (ROOT before INTERMEDIATE) then
 * sha256; reasons INCLUDED_BY_POLICY (no endpoint) first, then by endpoint ({@link UUID#compareTo} order) then code;
 * unresolved by endpoint, code, first level, detail; advice by code, endpoint (group-wide first), sha256, detail.
 */
public record Requirements(List<RequiredCertificate> certificates, List<Unresolved> unresolved, List<Advice> advice) {
    public Requirements {
        certificates = List.copyOf(certificates);
        unresolved = List.copyOf(unresolved);
        advice = List.copyOf(advice);
    }

    /** Fingerprints of {@link #certificates()}, in order. */
    public List<String> sha256s() {
        return certificates.stream().map(RequiredCertificate::sha256).toList();
    }
}
