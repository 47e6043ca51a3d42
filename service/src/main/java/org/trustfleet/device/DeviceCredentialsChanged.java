package org.trustfleet.device;

import java.util.UUID;

/** Fired when a device's token stopped being valid (revoked, or replaced by re-enrollment). */
public record DeviceCredentialsChanged(UUID deviceId) {}
