package org.trustfleet.device;

import com.fasterxml.jackson.core.type.TypeReference;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import jakarta.inject.Singleton;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.hibernate.validator.constraints.Range;
import org.trustfleet.cache.KeyedLoads;
import org.trustfleet.core.JsonColumns;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.payload.SignedPayload;
import org.trustfleet.payload.SignedPayloadService;
import org.trustfleet.policy.DesiredSet;
import org.trustfleet.pki.Sha256;
import org.trustfleet.policy.RequirementsService;

/**
 * Enrolled devices: payload delivery, reports, revocation, and the admin view with compliance derived at read time
 * from the latest report and the group's current requirements.
 */
// @Singleton rather than @ApplicationScoped: no client proxy between the beans of the device payload hot path
@Singleton
public class DeviceService {
    static final int MAX_ENTRIES = 1000;
    static final int MAX_ERROR_CHARS = 500;
    /** Default and maximum page sizes of the device list. */
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
    private static final TypeReference<List<ReportedFailure>> FAILURES = new TypeReference<>() {};
    private static final String COLUMNS = """
            d.id, d.hardware_id, d.model, d.agent_version, d.api_level, d.device_group_id, d.enrolled_at,
            s.last_seen_at, d.revoked_at, d.reported_version, d.reported_installed, d.reported_failures""";
    /** A device with its last-seen time (V37: every device has its row in device_seen). */
    private static final String DEVICES = "device d JOIN device_seen s ON s.device_id = d.id";

    private final AgroalDataSource db;
    private final DeviceAuthService auth;
    private final SignedPayloadService payloads;
    private final RequirementsService requirements;
    private final JsonColumns json;
    private final Clock clock;
    private final Duration staleAfter;
    private final Event<DeviceCredentialsChanged> credentialsChanged;
    private final ReportBatcher reports;

    public DeviceService(AgroalDataSource db, DeviceAuthService auth, SignedPayloadService payloads,
            RequirementsService requirements, JsonColumns json, Clock clock, TrustfleetConfig config,
            Event<DeviceCredentialsChanged> credentialsChanged, ReportBatcher reports) {
        this.db = db;
        this.auth = auth;
        this.payloads = payloads;
        this.requirements = requirements;
        this.json = json;
        this.clock = clock;
        this.staleAfter = config.device().staleAfter();
        this.credentialsChanged = credentialsChanged;
        this.reports = reports;
    }

    /**
     * The signed payload of the group of the device whose token this is: the blocking side of the delivery, for
     * whatever {@link DeviceAuthService#cachedDelivery} could not answer from memory. It checks the token (401 when
     * unknown or revoked, 410 when the device's group was deleted), notes the device as seen and keeps the payload
     * with the token for the next requests.
     */
    public SignedPayload payload(String token) {
        DeviceIdentity device = auth.authenticate(token).orElseThrow(DeviceService::revoked);
        if (device.groupId() == null) {
            throw new TrustfleetException(ErrorKind.GONE,
                    "the device group of this device was deleted; re-enroll with a token of another group");
        }
        KeyedLoads.Stamp stamp = auth.deliveryStamp(device.groupId());
        SignedPayload payload = payloads.current(device.tenantId(), device.groupId());
        auth.delivered(token, device, payload, stamp);
        return payload;
    }

    /**
     * Stores the device's latest report (replacing the previous one) and marks it seen. Returns once the report is
     * committed: it is written with other devices' reports in one statement by {@link ReportBatcher} (503 with
     * Retry-After when too many are waiting).
     */
    public void report(UUID deviceId, @NotNull @Valid DeviceReportInput body) {
        reports.store(stored(deviceId, body));
    }

    /**
     * As {@link #report}, without waiting: what fails the checks (400) or finds the queue full (503) throws, with
     * nothing queued; otherwise the returned future completes once the report is committed, or fails as
     * {@link ReportBatcher#submit} says.
     */
    public CompletableFuture<Void> submitReport(UUID deviceId,
            @NotNull @Valid DeviceReportInput body) {
        return reports.submit(stored(deviceId, body));
    }

    private ReportBatcher.StoredReport stored(UUID deviceId, DeviceReportInput body) {
        // presence, sizes and ranges were checked on entry (the constraints of DeviceReportInput)
        long version = body.payloadVersion();
        int apiLevel = body.apiLevel();
        List<String> installedIn = body.installed();
        Set<String> installed = new LinkedHashSet<>();
        for (String sha : installedIn) {
            installed.add(sha256(sha, "installed"));
        }
        List<ReportedFailure> failuresIn = Optional.ofNullable(body.failures()).orElse(List.of());
        List<ReportedFailure> failures = new ArrayList<>();
        for (ReportedFailure f : failuresIn) {
            failures.add(new ReportedFailure(sha256(f.sha256(), "failures.sha256"), f.error().strip()));
        }
        return new ReportBatcher.StoredReport(deviceId, version, json.write(List.copyOf(installed)),
                json.write(failures), apiLevel);
    }

    /** A page of the tenant's devices in id order, starting after {@code after}. */
    @Transactional
    public List<DeviceView> list(UUID tenantId, @Range(min = 1, max = MAX_LIMIT) Integer limit, UUID after) {
        auth.flushSeen(); // last-seen times noted on this replica are visible at once here
        int n = limit == null ? DEFAULT_LIMIT : limit;
        List<Row> rows = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS
                + " FROM " + DEVICES + " WHERE d.tenant_id = ? AND d.id > ? ORDER BY d.id LIMIT ?")) {
            s.setObject(1, tenantId);
            s.setObject(2, after == null ? new UUID(0, 0) : after); // the smallest UUID in PostgreSQL order
            s.setInt(3, n);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(row(r));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list devices", e);
        }
        Map<UUID, DesiredSet> desired = requirements.desiredSets(tenantId, groupsOf(rows));
        Instant now = clock.instant();
        return rows.stream().map(r -> view(r, desired, now)).toList();
    }

    /**
     * Every device of the tenant counted by compliance state, and the first {@code maxListed} devices (in id order)
     * that are not compliant. The devices are grouped in SQL by what the rule reads (see {@link #judge}), and the
     * listed devices are those outside the combinations judged compliant.
     */
    @Transactional
    public ComplianceSummary complianceSummary(UUID tenantId, int maxListed) {
        auth.flushSeen(); // last-seen times noted on this replica are visible at once here
        Instant now = clock.instant();
        Map<ComplianceState, Long> counts = zeroCounts();
        try (Connection c = db.getConnection()) {
            List<Judged> judged = judge(c, tenantId, true, now);
            judged.forEach(j -> counts.merge(j.state(), j.devices(), Long::sum));
            Map<UUID, Long> active = new HashMap<>();
            judged.stream().filter(j -> j.active() && j.groupId() != null)
                    .forEach(j -> active.merge(j.groupId(), j.devices(), Long::sum));
            long total = counts.values().stream().mapToLong(Long::longValue).sum();
            if (maxListed == 0 || total == counts.get(ComplianceState.COMPLIANT)) {
                return new ComplianceSummary(counts, List.of(), active);
            }
            List<Judged> compliant = judged.stream().filter(j -> j.state() == ComplianceState.COMPLIANT).toList();
            String nonCompliant = """
                    SELECT %s FROM %s WHERE d.tenant_id = ? AND NOT COALESCE(
                        s.last_seen_at >= ? AND d.reported_failures = '[]'
                        AND (d.device_group_id, d.reported_version, d.reported_installed)
                            IN (SELECT * FROM unnest(?::uuid[], ?::bigint[], ?::text[])), false)"""
                    .formatted(COLUMNS, DEVICES);
            String firstNonCompliant = walkInIdOrder(total - counts.get(ComplianceState.COMPLIANT), maxListed)
                    ? nonCompliant + " ORDER BY d.id LIMIT ?"
                    : "WITH non_compliant AS MATERIALIZED (" + nonCompliant
                            + ") SELECT * FROM non_compliant ORDER BY id LIMIT ?";
            List<Row> rows = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(firstNonCompliant)) {
                s.setObject(1, tenantId);
                s.setTimestamp(2, Timestamp.from(now.minus(staleAfter)));
                s.setArray(3, c.createArrayOf("uuid", compliant.stream().map(Judged::groupId).toArray()));
                s.setArray(4, c.createArrayOf("bigint", compliant.stream().map(Judged::version).toArray()));
                s.setArray(5, c.createArrayOf("text", compliant.stream().map(Judged::installed).toArray()));
                s.setInt(6, maxListed);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        rows.add(row(r));
                    }
                }
            }
            Map<UUID, DesiredSet> desired = requirements.desiredSets(tenantId, groupsOf(rows));
            List<DeviceView> listed = rows.stream().map(r -> view(r, desired, now))
                    .filter(v -> v.compliance().state() != ComplianceState.COMPLIANT).toList();
            return new ComplianceSummary(counts, listed, active);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count the devices by compliance", e);
        }
    }

    /**
     * The tenant's devices that are not revoked and belong to a group, counted per group and compliance state (every
     * group with devices has every state, zero when none): what the alert checks and the group metrics count.
     */
    @Transactional
    public Map<UUID, Map<ComplianceState, Long>> complianceByGroup(UUID tenantId) {
        auth.flushSeen();
        Map<UUID, Map<ComplianceState, Long>> byGroup = new HashMap<>();
        try (Connection c = db.getConnection()) {
            for (Judged j : judge(c, tenantId, false, clock.instant())) {
                if (j.groupId() == null) {
                    continue;
                }
                byGroup.computeIfAbsent(j.groupId(), g -> zeroCounts()).merge(j.state(), j.devices(), Long::sum);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count the devices by compliance", e);
        }
        return byGroup;
    }

    /**
     * How to find the first {@code maxListed} non-compliant devices of a tenant, from the count the aggregate just
     * made: walking the tenant's devices in id order stops after reading about {@code maxListed / nonCompliant} of
     * them, which is few when many are non-compliant and nearly all of them, one index entry and heap page at a
     * time in id order, when few are (a tenant of 100,000 devices with 50 non-compliant, all in memory: 75 ms,
     * against 53 ms for one pass over its rows and a sort of the few that match; more when the heap is read from
     * disk in that order). PostgreSQL cannot tell the two apart: it does not know how many rows the rule's filter
     * keeps. The walk is chosen while it reads at most a tenth of the tenant's devices.
     */
    static boolean walkInIdOrder(long nonCompliant, int maxListed) {
        return nonCompliant >= 10L * maxListed;
    }

    /** Every compliance state, counted zero. */
    private static Map<ComplianceState, Long> zeroCounts() {
        Map<ComplianceState, Long> counts = new EnumMap<>(ComplianceState.class);
        for (ComplianceState state : ComplianceState.values()) {
            counts.put(state, 0L);
        }
        return counts;
    }

    /**
     * Devices that read alike for the compliance rule, how many, and the state the rule gives them; {@code active}:
     * not revoked.
     */
    private record Judged(UUID groupId, Long version, String installed, boolean active, ComplianceState state,
            long devices) {}

    /**
     * The tenant's devices counted by what the compliance rule reads (group, revoked or not, reported version,
     * installed set, whether the report lists failures, staleness), each distinct combination judged once by the one
     * rule, {@link Compliance#state}. The counts come from {@code device_tally}, which triggers keep as devices change
     * (V36), less the stale devices: those last seen on or before the day of the staleness limit, found through the
     * index of {@code device_seen} on {@code seen_day} (V37) and checked by their exact last-seen time. One statement,
     * so one snapshot: a tenant of 100,000 devices costs a few tally rows and its stale devices, not 100,000 rows.
     */
    private List<Judged> judge(Connection c, UUID tenantId, boolean withRevoked, Instant now) throws SQLException {
        /** One combination of what the rule reads, and how many devices share it. */
        record Combination(UUID groupId, boolean active, Long version, String installed, boolean failed,
                boolean stale, long devices) {}
        List<Combination> combinations = new ArrayList<>();
        Instant staleBefore = now.minus(staleAfter);
        try (PreparedStatement s = c.prepareStatement("""
                WITH stale AS MATERIALIZED (
                    SELECT d.device_group_id, d.revoked_at IS NULL AS active, d.reported_version,
                           d.reported_installed, COALESCE(d.reported_failures, '[]') <> '[]' AS failed,
                           count(*) AS devices
                    FROM device_seen s JOIN device d ON d.id = s.device_id
                    WHERE s.tenant_id = ? AND s.seen_day <= ? AND s.last_seen_at < ? AND (? OR d.revoked_at IS NULL)
                    GROUP BY 1, 2, 3, 4, 5)
                SELECT device_group_id, active, reported_version, reported_installed, failed, stale, sum(devices)
                FROM (SELECT device_group_id, active, reported_version, reported_installed, failed, false AS stale,
                             devices
                      FROM device_tally WHERE tenant_id = ? AND (? OR active)
                      UNION ALL
                      SELECT device_group_id, active, reported_version, reported_installed, failed, false, -devices
                      FROM stale
                      UNION ALL
                      SELECT device_group_id, active, reported_version, reported_installed, failed, true, devices
                      FROM stale) c
                GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(devices) > 0""")) {
            s.setObject(1, tenantId);
            s.setObject(2, LocalDate.ofInstant(staleBefore, ZoneOffset.UTC));
            s.setTimestamp(3, Timestamp.from(staleBefore));
            s.setBoolean(4, withRevoked);
            s.setObject(5, tenantId);
            s.setBoolean(6, withRevoked);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    long version = r.getLong(3);
                    Long reported = r.wasNull() ? null : version;
                    combinations.add(new Combination(r.getObject(1, UUID.class), r.getBoolean(2), reported,
                            r.getString(4), r.getBoolean(5), r.getBoolean(6), r.getLong(7)));
                }
            }
        }
        Map<UUID, DesiredSet> desired = requirements.desiredSets(tenantId, combinations.stream()
                .map(Combination::groupId).filter(java.util.Objects::nonNull).collect(Collectors.toSet()));
        List<Judged> judged = new ArrayList<>(combinations.size());
        for (Combination k : combinations) {
            DesiredSet req = k.groupId() == null ? null : desired.get(k.groupId());
            ComplianceState state = Compliance.state(k.stale(), req == null ? null : req.version(),
                    req == null ? List.of() : req.sha256s(), k.version(),
                    k.version() == null ? List.of() : json.read(k.installed(), STRINGS), k.failed());
            judged.add(new Judged(k.groupId(), k.version(), k.installed(), k.active(), state, k.devices()));
        }
        return judged;
    }

    /** One device of the tenant. */
    @Transactional
    public DeviceView get(UUID tenantId, UUID deviceId) {
        auth.flushSeen(); // last-seen times noted on this replica are visible at once here
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS
                + " FROM " + DEVICES + " WHERE d.tenant_id = ? AND d.id = ?")) {
            s.setObject(1, tenantId);
            s.setObject(2, deviceId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw TrustfleetException.notFound("device");
                }
                Row row = row(r);
                return view(row, requirements.desiredSets(tenantId, groupsOf(List.of(row))), clock.instant());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the device", e);
        }
    }

    /** Revokes the device's token: its next request gets 401. Revoking twice is harmless. */
    @Transactional
    public void revoke(UUID tenantId, UUID deviceId) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                UPDATE device SET revoked_at = COALESCE(revoked_at, ?) WHERE tenant_id = ? AND id = ?""")) {
            s.setTimestamp(1, Timestamp.from(clock.instant()));
            s.setObject(2, tenantId);
            s.setObject(3, deviceId);
            if (s.executeUpdate() == 0) {
                throw TrustfleetException.notFound("device");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot revoke the device", e);
        }
        credentialsChanged.fire(new DeviceCredentialsChanged(deviceId));
    }

    private record Row(UUID id, String hardwareId, String model, String agentVersion, int apiLevel, UUID groupId,
            Instant enrolledAt, Instant lastSeenAt, Instant revokedAt, Compliance.Report report) {}

    private Row row(ResultSet r) throws SQLException {
        long version = r.getLong(10);
        Compliance.Report report = r.wasNull() ? null
                : new Compliance.Report(version, json.read(r.getString(11), STRINGS), json.read(r.getString(12), FAILURES));
        Timestamp revoked = r.getTimestamp(9);
        return new Row(r.getObject(1, UUID.class), r.getString(2), r.getString(3), r.getString(4), r.getInt(5),
                r.getObject(6, UUID.class), r.getTimestamp(7).toInstant(), r.getTimestamp(8).toInstant(),
                revoked == null ? null : revoked.toInstant(), report);
    }

    private DeviceView view(Row r, Map<UUID, DesiredSet> desired, Instant now) {
        DesiredSet req = r.groupId() == null ? null : desired.get(r.groupId()); // absent: deleted meanwhile
        ComplianceView compliance = Compliance.evaluate(now, staleAfter, r.lastSeenAt(),
                req == null ? null : req.version(), req == null ? List.of() : req.sha256s(), r.report());
        return new DeviceView(r.id(), r.hardwareId(), r.model(), r.agentVersion(), r.apiLevel(), r.groupId(),
                r.enrolledAt(), r.lastSeenAt(), r.revokedAt() != null, r.revokedAt(), compliance);
    }

    private static Set<UUID> groupsOf(List<Row> rows) {
        return rows.stream().map(Row::groupId).filter(java.util.Objects::nonNull).collect(Collectors.toSet());
    }

    private static String sha256(String value, String field) {
        return Sha256.parse(value).orElseThrow(() -> TrustfleetException.validation("'" + field
                + "' entries must be hex SHA-256 fingerprints (64 characters)"));
    }

    private static TrustfleetException revoked() {
        return new TrustfleetException(ErrorKind.UNAUTHENTICATED, "the device token is unknown or revoked");
    }


}
