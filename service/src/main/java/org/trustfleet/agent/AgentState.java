package org.trustfleet.agent;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * What the reference agent remembers between runs; stored as {@code agent-state.json} by {@link AgentStateStore}.
 * Contains the device token: the file is owner-only.
 *
 * @param format          {@link #FORMAT}
 * @param baseUrl         server base URL given at enrollment
 * @param payloadUrl      absolute payload URL (the enrollment's {@code payloadUrl} resolved against the base URL)
 * @param deviceId        from enrollment
 * @param deviceToken     bearer token from enrollment (secret)
 * @param hardwareId      as sent at enrollment
 * @param apiLevel        as sent at enrollment, repeated in reports
 * @param tenantId        read from the signer certificate at enrollment ({@code OU=tenant:<uuid>})
 * @param deviceGroupId   from enrollment if the server sent it, else learned from the first accepted payload; null
 *                        until known
 * @param pinnedRootPem   the payload root (last certificate of {@code payloadSignerChain}), PEM
 * @param lastVersion     version of the last accepted payload, null before the first
 * @param lastIssuedAt    issuedAt of the last accepted payload
 * @param lastListed      sorted SHA-256s listed by the last accepted payload
 * @param lastEtag        ETag of the last accepted payload response, sent as If-None-Match
 * @param installed       sorted SHA-256s of the certificates this agent installed and still owns
 * @param failures        failures of the last reconciliation
 * @param reportPending   the last report could not be delivered
 * @param lastSyncAt      last time a payload was accepted
 */
public record AgentState(String format, String baseUrl, String payloadUrl, UUID deviceId, String deviceToken,
        String hardwareId, int apiLevel, UUID tenantId, UUID deviceGroupId, String pinnedRootPem, Long lastVersion,
        Instant lastIssuedAt, List<String> lastListed, String lastEtag, List<String> installed,
        List<ReportFailure> failures, boolean reportPending, Instant lastSyncAt) {

    /** The state-file format this code writes. */
    public static final String FORMAT = "trustfleet.agent-state/v1";

    public AgentState {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(payloadUrl, "payloadUrl");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(deviceToken, "deviceToken");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(pinnedRootPem, "pinnedRootPem");
        format = format == null ? FORMAT : format;
        lastListed = lastListed == null ? List.of() : List.copyOf(lastListed);
        installed = installed == null ? List.of() : List.copyOf(installed);
        failures = failures == null ? List.of() : List.copyOf(failures);
    }

    /** A copy after accepting a payload. */
    AgentState accepted(UUID group, long version, Instant issuedAt, List<String> listed, String etag,
            List<String> nowInstalled, List<ReportFailure> newFailures, Instant at) {
        return new AgentState(format, baseUrl, payloadUrl, deviceId, deviceToken, hardwareId, apiLevel, tenantId, group,
                pinnedRootPem, version, issuedAt, listed, etag, nowInstalled, newFailures, reportPending, at);
    }

    /** A copy with another installed set (journal before touching the CA directory). */
    AgentState withInstalled(List<String> nowInstalled) {
        return new AgentState(format, baseUrl, payloadUrl, deviceId, deviceToken, hardwareId, apiLevel, tenantId,
                deviceGroupId, pinnedRootPem, lastVersion, lastIssuedAt, lastListed, lastEtag, nowInstalled, failures,
                reportPending, lastSyncAt);
    }

    /** A copy with the report flag set or cleared. */
    AgentState withReportPending(boolean pending) {
        return new AgentState(format, baseUrl, payloadUrl, deviceId, deviceToken, hardwareId, apiLevel, tenantId,
                deviceGroupId, pinnedRootPem, lastVersion, lastIssuedAt, lastListed, lastEtag, installed, failures,
                pending, lastSyncAt);
    }

    @Override
    public String toString() {
        return "AgentState[deviceId=" + deviceId + ", tenantId=" + tenantId + ", deviceGroupId=" + deviceGroupId
                + ", lastVersion=" + lastVersion + ", installed=" + installed.size() + ", deviceToken=<redacted>]";
    }
}
