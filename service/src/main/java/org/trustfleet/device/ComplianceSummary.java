package org.trustfleet.device;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A tenant's devices counted by compliance state (every state present, zero when none) and the first few that are not
 * compliant: what the drift report shows without reading every device.
 *
 * @param activeDevicesByGroup per group with devices, how many are not revoked: counted in the same pass, so that the
 *                             report's per-group figures need no second pass over the tenant's devices
 */
public record ComplianceSummary(Map<ComplianceState, Long> counts, List<DeviceView> firstNonCompliant,
        Map<UUID, Long> activeDevicesByGroup) {
    public ComplianceSummary {
        counts = Map.copyOf(counts);
        firstNonCompliant = List.copyOf(firstNonCompliant);
        activeDevicesByGroup = Map.copyOf(activeDevicesByGroup);
    }
}
