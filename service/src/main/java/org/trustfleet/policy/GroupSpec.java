package org.trustfleet.policy;

import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.trustfleet.pki.Sha256;

/**
 * A device group as the engine sees it.
 *
 * @param endpointIds   the endpoints the group must reach; empty means every endpoint supplied
 * @param includeSha256 certificates always delivered (SHA-256 ids, read with {@link Sha256#parse})
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
        return Set.copyOf(shas.stream().map(s -> Sha256.parse(s).orElseThrow(() ->
                new IllegalArgumentException("not a SHA-256 certificate id: " + s))).toList());
    }

    /** Whether devices of the group can run Android API level {@code apiLevel}: the one place the range is read. */
    public boolean coversLevel(int apiLevel) {
        return apiLevel >= minApiLevel && apiLevel <= maxApiLevel;
    }

    /** Whether the group covers {@code endpointId}. */
    public boolean covers(UUID endpointId) {
        return endpointIds.isEmpty() || endpointIds.contains(endpointId);
    }
}
