package org.trustfleet.device;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An enrolled device as admins and consoles see it, with its compliance derived at read time.
 *
 * @param verifications the device's latest verification of each endpoint of its group, in endpoint id order (empty
 *                      until it verified one); added by {@link #withVerifications}
 */
public record DeviceView(UUID id, String hardwareId, String model, String agentVersion, int apiLevel,
        UUID deviceGroupId, Instant enrolledAt, Instant lastSeenAt, boolean revoked, Instant revokedAt,
        ComplianceView compliance, List<EndpointVerification> verifications) {

    public DeviceView {
        verifications = verifications == null ? List.of() : List.copyOf(verifications);
    }

    /** A device whose verifications are not read yet. */
    public DeviceView(UUID id, String hardwareId, String model, String agentVersion, int apiLevel,
            UUID deviceGroupId, Instant enrolledAt, Instant lastSeenAt, boolean revoked, Instant revokedAt,
            ComplianceView compliance) {
        this(id, hardwareId, model, agentVersion, apiLevel, deviceGroupId, enrolledAt, lastSeenAt, revoked, revokedAt,
                compliance, List.of());
    }

    /** The same device with these verifications. */
    public DeviceView withVerifications(List<EndpointVerification> latest) {
        return new DeviceView(id, hardwareId, model, agentVersion, apiLevel, deviceGroupId, enrolledAt, lastSeenAt,
                revoked, revokedAt, compliance, latest);
    }
}
