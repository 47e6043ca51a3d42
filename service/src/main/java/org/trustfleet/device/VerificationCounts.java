package org.trustfleet.device;

import java.util.UUID;

/**
 * How a group's devices fared with one endpoint: "verified on {@code trusted} of {@code devices} devices".
 *
 * @param devices    the group's enrolled, unrevoked devices (those expected to verify)
 * @param notReported devices of the group without a verification of the endpoint
 */
public record VerificationCounts(UUID groupId, UUID endpointId, long devices, long trusted, long untrusted,
        long unreachable, long notReported) {}
