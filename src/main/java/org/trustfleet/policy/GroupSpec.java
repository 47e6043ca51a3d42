package org.trustfleet.policy;

import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * A device group as the engine sees it.
 *
 * @param endpointIds   the endpoints the group must reach; empty means every endpoint supplied
 * @param includeSha256 certificates always delivered (lowercase hex SHA-256)
 * @param excludeSha256 certificates never delivered
 */
public record GroupSpec(UUID groupId, int minApiLevel, int maxApiLevel, ManagementMode mode, Set<UUID> endpointIds,
        Set<String> includeSha256, Set<String> excludeSha256) {

    public GroupSpec {
        Objects.requireNonNull(mode, "mode");
        if (minApiLevel > maxApiLevel) {
            throw new IllegalArgumentException("minApiLevel > maxApiLevel");
        }
        endpointIds = endpointIds == null ? Set.of() : Set.copyOf(endpointIds);
        includeSha256 = includeSha256 == null ? Set.of() : normalise(includeSha256);
        excludeSha256 = excludeSha256 == null ? Set.of() : normalise(excludeSha256);
    }

    private static Set<String> normalise(Set<String> shas) {
        return Set.copyOf(shas.stream().map(s -> s.toLowerCase(java.util.Locale.ROOT)).toList());
    }

    /** Whether the group covers {@code endpointId}. */
    public boolean covers(UUID endpointId) {
        return endpointIds.isEmpty() || endpointIds.contains(endpointId);
    }
}
