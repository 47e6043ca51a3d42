package org.trustfleet.policy;

import java.util.List;
import java.util.UUID;

/**
 * Something no installation can fix, for one endpoint on {@code apiLevels} (sorted).
 *
 * @param sha256OrNull the certificate concerned when there is one (the excluded certificate that would be needed,
 *                     the expired intermediate), else null
 */
public record Unresolved(UUID endpointId, List<Integer> apiLevels, UnresolvedCode code, String detail,
        String sha256OrNull) {
    public Unresolved {
        apiLevels = List.copyOf(apiLevels);
    }
}
