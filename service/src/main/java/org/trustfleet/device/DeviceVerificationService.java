package org.trustfleet.device;

import com.fasterxml.jackson.core.type.TypeReference;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.JsonColumns;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.pki.CertificateFormat;
import org.trustfleet.pki.CertificateParser;
import org.trustfleet.pki.Sha256;
import org.trustfleet.policy.DeviceGroup;
import org.trustfleet.policy.DeviceGroupService;
import org.trustfleet.scan.Endpoint;

/**
 * What devices found when they connected to their group's endpoints themselves (after reconciling, with the
 * platform's own validator and their real stores): the latest outcome per (device, endpoint), and per group and
 * endpoint how many devices trust it. A device may report only on the endpoints its group covers, so what one device
 * stores is bounded by its group and never touches another tenant's data.
 */
@ApplicationScoped
public class DeviceVerificationService {
    /** At most this many results in one request (also the wire format's limit). */
    public static final int MAX_RESULTS = 200;
    /** At most this many characters of a result's detail. */
    public static final int MAX_DETAIL_CHARS = 500;
    /** At most this many certificates in a reported chain. */
    public static final int MAX_CHAIN = 20;
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    private final AgroalDataSource db;
    private final DeviceGroupService groups;
    private final JsonColumns json;
    private final Clock clock;

    public DeviceVerificationService(AgroalDataSource db, DeviceGroupService groups, JsonColumns json, Clock clock) {
        this.db = db;
        this.groups = groups;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Keeps the device's outcomes, each replacing its previous one of the same endpoint. Every result is checked
     * before anything is stored: an endpoint outside the device's group (another tenant's, or one the group does not
     * cover) or a chain entry that is not a DER certificate is a 400 and nothing is stored.
     */
    @Transactional
    public void record(UUID deviceId, @NotNull @Valid DeviceVerificationInput body) {
        DeviceIdentity device = device(deviceId);
        Set<UUID> covered = new HashSet<>();
        for (Endpoint endpoint : groups.endpointsOf(device.tenantId(), device.groupId())) {
            covered.add(endpoint.id());
        }
        Map<UUID, Checked> checked = new LinkedHashMap<>();
        int i = 0;
        for (DeviceVerificationInput.Result result : body.results()) {
            String field = "results[" + i++ + "]";
            if (!covered.contains(result.endpointId())) {
                // the same answer for another tenant's endpoint and for one that does not exist
                throw TrustfleetException.validation("'" + field + ".endpointId' is not an endpoint of this device's"
                        + " group");
            }
            if (checked.containsKey(result.endpointId())) {
                throw TrustfleetException.validation("'" + field + ".endpointId' repeats an endpoint of this report");
            }
            List<String> chain = result.chain() == null ? List.of() : result.chain();
            if (!chain.isEmpty() && result.outcome() != VerificationOutcome.UNTRUSTED) {
                throw TrustfleetException.validation("'" + field + ".chain' is only sent with the outcome UNTRUSTED");
            }
            List<String> ids = new ArrayList<>(chain.size());
            for (int j = 0; j < chain.size(); j++) {
                ids.add(certificateId(chain.get(j), field + ".chain[" + j + "]"));
            }
            String detail = result.detail() == null || result.detail().isBlank() ? null : result.detail().strip();
            checked.put(result.endpointId(), new Checked(result.outcome(), detail, ids));
        }
        Instant now = clock.instant();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO device_verification (device_id, endpoint_id, tenant_id, group_id, payload_version,
                    outcome, detail, chain, verified_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), ?)
                ON CONFLICT (device_id, endpoint_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id,
                    group_id = EXCLUDED.group_id, payload_version = EXCLUDED.payload_version,
                    outcome = EXCLUDED.outcome, detail = EXCLUDED.detail, chain = EXCLUDED.chain,
                    verified_at = EXCLUDED.verified_at""")) {
            for (Map.Entry<UUID, Checked> e : checked.entrySet()) {
                s.setObject(1, deviceId);
                s.setObject(2, e.getKey());
                s.setObject(3, device.tenantId());
                s.setObject(4, device.groupId());
                s.setLong(5, body.payloadVersion());
                s.setString(6, e.getValue().outcome().name());
                s.setString(7, e.getValue().detail());
                s.setString(8, json.write(e.getValue().chain()));
                s.setTimestamp(9, Timestamp.from(now));
                s.addBatch();
            }
            s.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store the device's verifications", e);
        }
    }

    /** The latest verifications of each of the tenant's {@code deviceIds}, by device, in endpoint id order. */
    @Transactional
    public Map<UUID, List<EndpointVerification>> ofDevices(UUID tenantId, Collection<UUID> deviceIds) {
        Map<UUID, List<EndpointVerification>> out = new HashMap<>();
        if (deviceIds.isEmpty()) {
            return out;
        }
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT device_id, endpoint_id, outcome, detail, chain, payload_version, verified_at
                FROM device_verification WHERE tenant_id = ? AND device_id = ANY (?) ORDER BY device_id, endpoint_id""")) {
            s.setObject(1, tenantId);
            s.setArray(2, c.createArrayOf("uuid", deviceIds.toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.computeIfAbsent(r.getObject(1, UUID.class), k -> new ArrayList<>())
                            .add(new EndpointVerification(r.getObject(2, UUID.class),
                                    VerificationOutcome.valueOf(r.getString(3)), r.getString(4),
                                    json.read(r.getString(5), STRINGS), r.getLong(6),
                                    r.getTimestamp(7).toInstant()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read device verifications", e);
        }
        return out;
    }

    /**
     * Per group of the tenant and endpoint it covers (groups by name, endpoints by id): how many of the group's
     * unrevoked devices trust, reject or cannot reach it, and how many have not said.
     *
     * @param activeDevicesByGroup how many unrevoked devices each group has ({@link ComplianceSummary} counts them in
     *                             the pass it makes anyway; counting them again here was a second pass over every
     *                             device of the tenant)
     */
    @Transactional
    public List<VerificationCounts> counts(UUID tenantId, Map<UUID, Long> activeDevicesByGroup) {
        Map<UUID, Map<UUID, long[]>> outcomes = new HashMap<>();
        try (Connection c = db.getConnection()) {
            // only devices still in the group they reported for count (a group is fixed per enrollment, but a row
            // outlives nothing it should: revoked devices drop out here)
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT v.group_id, v.endpoint_id, v.outcome, count(*) FROM device_verification v
                    JOIN device d ON d.id = v.device_id
                    WHERE v.tenant_id = ? AND d.revoked_at IS NULL AND d.device_group_id = v.group_id
                    GROUP BY v.group_id, v.endpoint_id, v.outcome""")) {
                s.setObject(1, tenantId);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        outcomes.computeIfAbsent(r.getObject(1, UUID.class), k -> new HashMap<>())
                                .computeIfAbsent(r.getObject(2, UUID.class), k -> new long[3])
                                [VerificationOutcome.valueOf(r.getString(3)).ordinal()] = r.getLong(4);
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count device verifications", e);
        }
        List<VerificationCounts> out = new ArrayList<>();
        for (DeviceGroup group : groups.list(tenantId)) {
            long devices = activeDevicesByGroup.getOrDefault(group.id(), 0L);
            for (Endpoint endpoint : groups.endpointsOf(tenantId, group.id())) {
                long[] n = outcomes.getOrDefault(group.id(), Map.of()).getOrDefault(endpoint.id(), new long[3]);
                long trusted = n[VerificationOutcome.TRUSTED.ordinal()];
                long untrusted = n[VerificationOutcome.UNTRUSTED.ordinal()];
                long unreachable = n[VerificationOutcome.UNREACHABLE.ordinal()];
                out.add(new VerificationCounts(group.id(), endpoint.id(), devices, trusted, untrusted, unreachable,
                        Math.max(0, devices - trusted - untrusted - unreachable)));
            }
        }
        return out;
    }

    private record Checked(VerificationOutcome outcome, String detail, List<String> chain) {}

    private DeviceIdentity device(UUID deviceId) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT tenant_id, device_group_id FROM device WHERE id = ? AND revoked_at IS NULL")) {
            s.setObject(1, deviceId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw new TrustfleetException(ErrorKind.UNAUTHENTICATED, "the device token is unknown or revoked");
                }
                UUID group = r.getObject(2, UUID.class);
                if (group == null) {
                    throw new TrustfleetException(ErrorKind.GONE,
                            "the device group of this device was deleted; re-enroll with a token of another group");
                }
                return new DeviceIdentity(deviceId, r.getObject(1, UUID.class), group);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the device", e);
        }
    }

    /** The SHA-256 id of one standard-base64 DER certificate; 400 naming the field otherwise. */
    private static String certificateId(String base64, String field) {
        byte[] der;
        try {
            der = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw TrustfleetException.validation("'" + field + "' is not standard base64");
        }
        CertificateFormat format;
        try {
            format = CertificateParser.detect(der);
        } catch (RuntimeException e) {
            format = null;
        }
        if (format != CertificateFormat.DER) {
            throw TrustfleetException.validation("'" + field + "' is not one DER certificate");
        }
        try {
            X509Certificate certificate = CertificateParser.parse(der).get(0);
            return Sha256.of(certificate);
        } catch (RuntimeException e) {
            throw TrustfleetException.validation("'" + field + "' is not a readable DER certificate");
        }
    }
}
