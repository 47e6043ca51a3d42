package org.trustfleet.agent;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * What the agent remembers between runs, saved by an {@link AgentStateStore} as JSON ({@code trustfleet.agent-state/v1},
 * the same file the reference agent always wrote). Contains the device token: keep it private to the app/owner.
 * Immutable; the {@code with...} methods return changed copies. Instants are kept as the ISO-8601 text they were
 * received or written as.
 */
public final class AgentState {

    /** The state-file format this code writes. */
    public static final String FORMAT = "trustfleet.agent-state/v1";

    private final String format;
    private final String baseUrl;
    private final String payloadUrl;
    private final UUID deviceId;
    private final String deviceToken;
    private final String hardwareId;
    private final int apiLevel;
    private final UUID tenantId;
    private final UUID deviceGroupId;
    private final String pinnedRootPem;
    private final Long lastVersion;
    private final String lastIssuedAt;
    private final List<String> lastListed;
    private final String lastEtag;
    private final List<String> installed;
    private final List<ReportFailure> failures;
    private final boolean reportPending;
    private final String lastSyncAt;
    private final List<PayloadEndpoint> lastEndpoints;
    private final Long lastVerifiedAtMillis;
    private final String observationDigest;

    /**
     * @param baseUrl       server base URL given at enrollment
     * @param payloadUrl    absolute payload URL
     * @param deviceId      from enrollment
     * @param deviceToken   bearer token from enrollment (secret)
     * @param hardwareId    as sent at enrollment
     * @param apiLevel      as sent at enrollment, repeated in reports
     * @param tenantId      read from the signer certificate at enrollment ({@code OU=tenant:<uuid>})
     * @param deviceGroupId from enrollment or the first accepted payload; null until known
     * @param pinnedRootPem the payload root pinned at enrollment, PEM
     * @param lastVersion   version of the last accepted payload, null before the first
     * @param lastIssuedAt  issuedAt of the last accepted payload (ISO-8601)
     * @param lastListed    sorted SHA-256s listed by the last accepted payload
     * @param lastEtag      ETag of the last accepted payload response, sent as If-None-Match
     * @param installed     sorted SHA-256s of the certificates this agent installed and still owns
     * @param failures      failures of the last reconciliation
     * @param reportPending the last report could not be delivered
     * @param lastSyncAt    last time a payload was accepted (ISO-8601)
     */
    public AgentState(String format, String baseUrl, String payloadUrl, UUID deviceId, String deviceToken,
            String hardwareId, int apiLevel, UUID tenantId, UUID deviceGroupId, String pinnedRootPem, Long lastVersion,
            String lastIssuedAt, List<String> lastListed, String lastEtag, List<String> installed,
            List<ReportFailure> failures, boolean reportPending, String lastSyncAt) {
        this(format, baseUrl, payloadUrl, deviceId, deviceToken, hardwareId, apiLevel, tenantId, deviceGroupId,
                pinnedRootPem, lastVersion, lastIssuedAt, lastListed, lastEtag, installed, failures, reportPending,
                lastSyncAt, null, null, null);
    }

    private AgentState(String format, String baseUrl, String payloadUrl, UUID deviceId, String deviceToken,
            String hardwareId, int apiLevel, UUID tenantId, UUID deviceGroupId, String pinnedRootPem, Long lastVersion,
            String lastIssuedAt, List<String> lastListed, String lastEtag, List<String> installed,
            List<ReportFailure> failures, boolean reportPending, String lastSyncAt, List<PayloadEndpoint> lastEndpoints,
            Long lastVerifiedAtMillis, String observationDigest) {
        this.format = format == null ? FORMAT : format;
        this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
        this.payloadUrl = Objects.requireNonNull(payloadUrl, "payloadUrl");
        this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
        this.deviceToken = Objects.requireNonNull(deviceToken, "deviceToken");
        this.hardwareId = hardwareId;
        this.apiLevel = apiLevel;
        this.tenantId = Objects.requireNonNull(tenantId, "tenantId");
        this.deviceGroupId = deviceGroupId;
        this.pinnedRootPem = Objects.requireNonNull(pinnedRootPem, "pinnedRootPem");
        this.lastVersion = lastVersion;
        this.lastIssuedAt = lastIssuedAt;
        this.lastListed = copy(lastListed);
        this.lastEtag = lastEtag;
        this.installed = copy(installed);
        this.failures = copy(failures);
        this.reportPending = reportPending;
        this.lastSyncAt = lastSyncAt;
        this.lastEndpoints = copy(lastEndpoints);
        this.lastVerifiedAtMillis = lastVerifiedAtMillis;
        this.observationDigest = observationDigest;
    }

    private static <T> List<T> copy(List<T> list) {
        return list == null ? Collections.<T>emptyList() : Collections.unmodifiableList(new ArrayList<T>(list));
    }

    public String format() { return format; }
    public String baseUrl() { return baseUrl; }
    public String payloadUrl() { return payloadUrl; }
    public UUID deviceId() { return deviceId; }
    public String deviceToken() { return deviceToken; }
    public String hardwareId() { return hardwareId; }
    public int apiLevel() { return apiLevel; }
    public UUID tenantId() { return tenantId; }
    public UUID deviceGroupId() { return deviceGroupId; }
    public String pinnedRootPem() { return pinnedRootPem; }
    public Long lastVersion() { return lastVersion; }
    public String lastIssuedAt() { return lastIssuedAt; }
    public List<String> lastListed() { return lastListed; }
    public String lastEtag() { return lastEtag; }
    public List<String> installed() { return installed; }
    public List<ReportFailure> failures() { return failures; }
    public boolean reportPending() { return reportPending; }
    public String lastSyncAt() { return lastSyncAt; }
    /** The endpoints the last accepted payload listed (verified after each sync). */
    public List<PayloadEndpoint> lastEndpoints() { return lastEndpoints; }
    /** When the endpoints were last verified and the result delivered, null if never. */
    public Long lastVerifiedAtMillis() { return lastVerifiedAtMillis; }
    /** SHA-256 of the last observation the server accepted, null if none: the next one is sent only when it differs. */
    public String observationDigest() { return observationDigest; }

    /** A copy after accepting a payload. */
    AgentState accepted(UUID group, long version, String issuedAt, List<String> listed, String etag,
            List<String> nowInstalled, List<ReportFailure> newFailures, String at, List<PayloadEndpoint> endpoints) {
        return new AgentState(format, baseUrl, payloadUrl, deviceId, deviceToken, hardwareId, apiLevel, tenantId, group,
                pinnedRootPem, version, issuedAt, listed, etag, nowInstalled, newFailures, reportPending, at, endpoints,
                lastVerifiedAtMillis, observationDigest);
    }

    /** A copy with another installed set (journal before touching the CA store). */
    AgentState withInstalled(List<String> nowInstalled) {
        return new AgentState(format, baseUrl, payloadUrl, deviceId, deviceToken, hardwareId, apiLevel, tenantId,
                deviceGroupId, pinnedRootPem, lastVersion, lastIssuedAt, lastListed, lastEtag, nowInstalled, failures,
                reportPending, lastSyncAt, lastEndpoints, lastVerifiedAtMillis, observationDigest);
    }

    /** A copy with the report flag set or cleared. */
    AgentState withReportPending(boolean pending) {
        return new AgentState(format, baseUrl, payloadUrl, deviceId, deviceToken, hardwareId, apiLevel, tenantId,
                deviceGroupId, pinnedRootPem, lastVersion, lastIssuedAt, lastListed, lastEtag, installed, failures,
                pending, lastSyncAt, lastEndpoints, lastVerifiedAtMillis, observationDigest);
    }

    /** A copy after verifications were delivered. */
    AgentState withVerifiedAt(Long millis) {
        return new AgentState(format, baseUrl, payloadUrl, deviceId, deviceToken, hardwareId, apiLevel, tenantId,
                deviceGroupId, pinnedRootPem, lastVersion, lastIssuedAt, lastListed, lastEtag, installed, failures,
                reportPending, lastSyncAt, lastEndpoints, millis, observationDigest);
    }

    /** A copy after an observation was delivered. */
    AgentState withObservationDigest(String digest) {
        return new AgentState(format, baseUrl, payloadUrl, deviceId, deviceToken, hardwareId, apiLevel, tenantId,
                deviceGroupId, pinnedRootPem, lastVersion, lastIssuedAt, lastListed, lastEtag, installed, failures,
                reportPending, lastSyncAt, lastEndpoints, lastVerifiedAtMillis, digest);
    }

    /** A copy with another device token (a token re-issued by the server). */
    public AgentState withDeviceToken(String token) {
        return new AgentState(format, baseUrl, payloadUrl, deviceId, token, hardwareId, apiLevel, tenantId,
                deviceGroupId, pinnedRootPem, lastVersion, lastIssuedAt, lastListed, lastEtag, installed, failures,
                reportPending, lastSyncAt, lastEndpoints, lastVerifiedAtMillis, observationDigest);
    }

    /** The state file's JSON. */
    public JSONObject toJson() {
        JSONObject o = new JSONObject();
        o.put("format", format);
        o.put("baseUrl", baseUrl);
        o.put("payloadUrl", payloadUrl);
        o.put("deviceId", deviceId.toString());
        o.put("deviceToken", deviceToken);
        o.put("hardwareId", nullable(hardwareId));
        o.put("apiLevel", apiLevel);
        o.put("tenantId", tenantId.toString());
        o.put("deviceGroupId", deviceGroupId == null ? JSONObject.NULL : deviceGroupId.toString());
        o.put("pinnedRootPem", pinnedRootPem);
        o.put("lastVersion", lastVersion == null ? JSONObject.NULL : (Object) lastVersion);
        o.put("lastIssuedAt", nullable(lastIssuedAt));
        o.put("lastListed", new JSONArray(lastListed));
        o.put("lastEtag", nullable(lastEtag));
        o.put("installed", new JSONArray(installed));
        JSONArray f = new JSONArray();
        for (ReportFailure r : failures) {
            f.put(new JSONObject().put("sha256", r.sha256()).put("error", r.error()));
        }
        o.put("failures", f);
        o.put("reportPending", reportPending);
        o.put("lastSyncAt", nullable(lastSyncAt));
        JSONArray e = new JSONArray();
        for (PayloadEndpoint p : lastEndpoints) {
            e.put(p.toJson());
        }
        o.put("lastEndpoints", e);
        o.put("lastVerifiedAtMillis", lastVerifiedAtMillis == null ? JSONObject.NULL : (Object) lastVerifiedAtMillis);
        o.put("observationDigest", nullable(observationDigest));
        return o;
    }

    /** Reads {@link #toJson()} output (and the files earlier reference agents wrote); throws {@link AgentException}. */
    public static AgentState fromJson(String json) {
        try {
            JSONObject o = new JSONObject(json);
            String format = Json.optText(o, "format");
            if (format != null && !FORMAT.equals(format)) {
                throw new AgentException("unsupported state file format '" + format + "'");
            }
            List<ReportFailure> failures = new ArrayList<ReportFailure>();
            JSONArray f = o.optJSONArray("failures");
            for (int i = 0; f != null && i < f.length(); i++) {
                JSONObject r = f.getJSONObject(i);
                failures.add(new ReportFailure(r.getString("sha256"), r.getString("error")));
            }
            List<PayloadEndpoint> endpoints = new ArrayList<PayloadEndpoint>();
            JSONArray e = o.optJSONArray("lastEndpoints");
            for (int i = 0; e != null && i < e.length(); i++) {
                endpoints.add(PayloadEndpoint.fromJson(e.getJSONObject(i)));
            }
            String group = Json.optText(o, "deviceGroupId");
            return new AgentState(format, o.getString("baseUrl"), o.getString("payloadUrl"),
                    UUID.fromString(o.getString("deviceId")), o.getString("deviceToken"), Json.optText(o, "hardwareId"),
                    o.getInt("apiLevel"), UUID.fromString(o.getString("tenantId")),
                    group == null ? null : UUID.fromString(group), o.getString("pinnedRootPem"),
                    o.isNull("lastVersion") ? null : Long.valueOf(o.getLong("lastVersion")),
                    Json.optText(o, "lastIssuedAt"), Json.strings(o.optJSONArray("lastListed")),
                    Json.optText(o, "lastEtag"), Json.strings(o.optJSONArray("installed")), failures,
                    o.optBoolean("reportPending", false), Json.optText(o, "lastSyncAt"), endpoints,
                    o.isNull("lastVerifiedAtMillis") ? null : Long.valueOf(o.getLong("lastVerifiedAtMillis")),
                    Json.optText(o, "observationDigest"));
        } catch (JSONException | IllegalArgumentException e) {
            throw new AgentException("agent state is not readable: " + e.getMessage(), e);
        }
    }

    private static Object nullable(String s) {
        return s == null ? JSONObject.NULL : s;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AgentState)) {
            return false;
        }
        AgentState s = (AgentState) o;
        return Arrays.asList(fields()).equals(Arrays.asList(s.fields()));
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(fields());
    }

    private Object[] fields() {
        return new Object[] {format, baseUrl, payloadUrl, deviceId, deviceToken, hardwareId, apiLevel, tenantId,
                deviceGroupId, pinnedRootPem, lastVersion, lastIssuedAt, lastListed, lastEtag, installed, failures,
                reportPending, lastSyncAt, lastEndpoints, lastVerifiedAtMillis, observationDigest};
    }

    @Override
    public String toString() {
        return "AgentState[deviceId=" + deviceId + ", tenantId=" + tenantId + ", deviceGroupId=" + deviceGroupId
                + ", lastVersion=" + lastVersion + ", installed=" + installed.size() + ", deviceToken=<redacted>]";
    }
}
