package org.trustfleet.device;

import java.util.UUID;

/**
 * Who a device token stands for: the device, its tenant and its group ({@code null} once the group was deleted).
 */
public record DeviceIdentity(UUID deviceId, UUID tenantId, UUID groupId) {}
