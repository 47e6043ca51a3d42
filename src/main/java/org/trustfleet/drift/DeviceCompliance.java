package org.trustfleet.drift;

import java.util.UUID;

/**
 * The device side of a drift report: implemented by the device capability, so that drift reads device compliance
 * without owning it.
 */
public interface DeviceCompliance {
    DriftReport.DeviceSummary summary(UUID tenantId);
}
