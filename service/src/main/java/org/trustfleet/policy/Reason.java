package org.trustfleet.policy;

import java.util.List;
import java.util.UUID;

/**
 * One reason a certificate is delivered: it fixes {@code endpointId} on {@code apiLevels} (sorted). For
 * {@link ReasonCode#INCLUDED_BY_POLICY} the endpoint is null and the levels are the group's levels.
 */
public record Reason(UUID endpointId, List<Integer> apiLevels, ReasonCode code) {
    public Reason {
        apiLevels = List.copyOf(apiLevels);
    }
}
