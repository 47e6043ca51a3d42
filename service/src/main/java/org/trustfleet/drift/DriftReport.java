package org.trustfleet.drift;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.trustfleet.policy.UnresolvedCode;
import org.trustfleet.scan.ChainChange;
import org.trustfleet.scan.ProbeStatus;
import org.trustfleet.scan.ServerFixSummary;

/**
 * One page for a tenant's admin: what changed, what is broken, what is about to break, and what devices cannot be
 * fixed for. Built from stored data only (no scan runs to produce it).
 */
public record DriftReport(UUID tenantId, Instant generatedAt, Instant since, List<ChainChangeEntry> chainChanges,
        List<EndpointProblem> failingEndpoints, List<ExpiringCertificate> expiringCertificates,
        List<UnresolvedEntry> unresolved, DeviceSummary devices, List<DeviceVerificationEntry> deviceVerifications) {

    /** A chain change with the endpoint's name. */
    public record ChainChangeEntry(UUID endpointId, String endpointName, Instant occurredAt, ChainChange.Kind kind,
            List<String> previousChain, List<String> newChain) {}

    /**
     * An endpoint whose latest scan failed, or whose chain some Android levels reject as presented.
     *
     * @param untrustedApiLevels levels whose stock store rejects the presented chain (devices need a delivered
     *     certificate there, or the server a fix)
     * @param findings the finding codes of the latest scan
     * @param serverFix the chain the server should send, which levels it fixes and why the others stay broken (null
     *     when the scan saw no chain); each level's verdicts are on the endpoint's latest scan
     */
    public record EndpointProblem(UUID endpointId, String endpointName, Instant lastScanAt, ProbeStatus status,
            String error, List<Integer> untrustedApiLevels, List<String> findings, ServerFixSummary serverFix) {}

    /** A certificate an endpoint presents or a group delivers that expires soon. */
    public record ExpiringCertificate(String sha256, String subject, Instant notAfter, List<UUID> endpointIds,
            List<UUID> groupIds) {}

    /** Something a device group's devices cannot be fixed for by installing certificates. */
    public record UnresolvedEntry(UUID groupId, String groupName, UUID endpointId, List<Integer> apiLevels,
            UnresolvedCode code, String detail) {}

    /** Devices by compliance state, and the first devices that are not compliant. */
    public record DeviceSummary(java.util.Map<String, Long> byState, List<NonCompliantDevice> nonCompliant) {}

    /** A device that is not compliant, with the state that says why. */
    public record NonCompliantDevice(UUID deviceId, String hardwareId, UUID deviceGroupId, String state,
            Instant lastSeenAt) {}

    /**
     * How a group's devices fared when they connected to one endpoint themselves: "verified on {@code trusted} of
     * {@code devices} devices", and the flags for what the scanner cannot see.
     *
     * @param devices     the group's enrolled, unrevoked devices
     * @param notReported devices of the group that have not verified the endpoint (yet)
     */
    public record DeviceVerificationEntry(UUID groupId, String groupName, UUID endpointId, String endpointName,
            long devices, long trusted, long untrusted, long unreachable, long notReported, String summary,
            List<VerificationFlag> flags) {}
}
