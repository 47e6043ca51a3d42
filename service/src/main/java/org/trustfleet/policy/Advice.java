package org.trustfleet.policy;

import java.util.UUID;

/** A recommendation; {@code endpointId} is null for group-wide advice. */
public record Advice(UUID endpointId, AdviceCode code, String sha256OrNull, String detail) {
}
