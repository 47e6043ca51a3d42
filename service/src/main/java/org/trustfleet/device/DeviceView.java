package org.trustfleet.device;

import java.time.Instant;
import java.util.UUID;

/** An enrolled device as admins and consoles see it, with its compliance derived at read time. */
public record DeviceView(UUID id, String hardwareId, String model, String agentVersion, int apiLevel,
        UUID deviceGroupId, Instant enrolledAt, Instant lastSeenAt, boolean revoked, Instant revokedAt,
        ComplianceView compliance) {}
