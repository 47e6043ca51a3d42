package org.trustfleet.device;

import java.util.List;
import java.util.Map;

/**
 * A tenant's devices counted by compliance state (every state present, zero when none) and the first few that are not
 * compliant: what the drift report shows without reading every device.
 */
public record ComplianceSummary(Map<ComplianceState, Long> counts, List<DeviceView> firstNonCompliant) {
    public ComplianceSummary {
        counts = Map.copyOf(counts);
        firstNonCompliant = List.copyOf(firstNonCompliant);
    }
}
