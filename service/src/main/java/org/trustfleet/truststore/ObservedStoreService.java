package org.trustfleet.truststore;

import com.fasterxml.jackson.core.type.TypeReference;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import org.trustfleet.core.JsonColumns;
import org.trustfleet.pki.Sha256;

/**
 * The system CA stores devices really have: each device's latest observation (its facts and the set of its system
 * store), each distinct set kept once, and the sets by (API level, mainline version, manufacturer) with device
 * counts, per tenant or per device group. Only the tenant's own devices count in what a tenant sees.
 */
@ApplicationScoped
public class ObservedStoreService {
    /** At most this many certificates in an observed store. */
    public static final int MAX_ENTRIES = 1000;
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    private final AgroalDataSource db;
    private final JsonColumns json;
    private final TrustStoreService platform;

    public ObservedStoreService(AgroalDataSource db, JsonColumns json, TrustStoreService platform) {
        this.db = db;
        this.json = json;
        this.platform = platform;
    }

    /**
     * The stores the tenant's devices reported, each compared with the platform store of its level. Only the
     * tenant's own devices count: a store other tenants' devices also hold shows only this tenant's count.
     */
    @Transactional
    public List<ObservedStoreView> views(UUID tenantId) {
        StoreSnapshot snapshot = platform.snapshot();
        List<ObservedStoreView> out = new ArrayList<>();
        for (ObservedStore store : ofTenant(tenantId)) {
            PlatformStore level = snapshot.byApiLevel().get(store.apiLevel());
            Set<String> reference = level == null ? Set.of() : level.sha256s();
            out.add(new ObservedStoreView(store.name(), store.apiLevel(), store.mainlineVersion(),
                    store.manufacturer(), store.digest(), store.sha256s().size(), store.devices(),
                    level == null ? null : level.name(),
                    store.sha256s().stream().filter(id -> !reference.contains(id)).sorted().toList(),
                    reference.stream().filter(id -> !store.sha256s().contains(id)).sorted().toList()));
        }
        return out;
    }

    /** A device's facts as it reported them (strings checked and bounded by the caller). */
    public record Facts(String manufacturer, String model, String release, int apiLevel, String securityPatch,
            String mainlineVersion) {}

    /**
     * Keeps the device's observation, replacing its previous one; the set is stored once per distinct content.
     * Returns whether the observation differs from the one it replaced.
     */
    @Transactional
    public boolean record(UUID deviceId, UUID tenantId, Facts facts, SortedSet<String> sha256s, Instant now) {
        if (sha256s.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("more than " + MAX_ENTRIES + " entries");
        }
        String digest = digest(sha256s);
        try (Connection c = db.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO observed_store_set (digest, sha256s, size) VALUES (?, CAST(? AS jsonb), ?)
                    ON CONFLICT (digest) DO NOTHING""")) {
                s.setString(1, digest);
                s.setString(2, json.write(List.copyOf(sha256s)));
                s.setInt(3, sha256s.size());
                s.executeUpdate();
            }
            boolean changed = true;
            String previous = null;
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT store_digest, store_digest = ? AND api_level = ?
                        AND mainline_version IS NOT DISTINCT FROM ? AND manufacturer IS NOT DISTINCT FROM ?
                    FROM device_observation WHERE device_id = ? FOR UPDATE""")) {
                s.setString(1, digest);
                s.setInt(2, facts.apiLevel());
                s.setString(3, facts.mainlineVersion());
                s.setString(4, facts.manufacturer());
                s.setObject(5, deviceId);
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) {
                        previous = r.getString(1);
                        changed = !r.getBoolean(2);
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO device_observation (device_id, tenant_id, manufacturer, model, release, api_level,
                        security_patch, mainline_version, store_digest, observed_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (device_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id,
                        manufacturer = EXCLUDED.manufacturer, model = EXCLUDED.model, release = EXCLUDED.release,
                        api_level = EXCLUDED.api_level, security_patch = EXCLUDED.security_patch,
                        mainline_version = EXCLUDED.mainline_version, store_digest = EXCLUDED.store_digest,
                        observed_at = EXCLUDED.observed_at""")) {
                s.setObject(1, deviceId);
                s.setObject(2, tenantId);
                s.setString(3, facts.manufacturer());
                s.setString(4, facts.model());
                s.setString(5, facts.release());
                s.setInt(6, facts.apiLevel());
                s.setString(7, facts.securityPatch());
                s.setString(8, facts.mainlineVersion());
                s.setString(9, digest);
                s.setTimestamp(10, Timestamp.from(now));
                s.executeUpdate();
            }
            if (previous != null && !previous.equals(digest)) {
                dropIfUnused(c, previous);
            }
            return changed;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store the device's observation", e);
        }
    }

    /** The stores the unrevoked devices of the group reported, by (level, mainline, manufacturer, set). */
    @Transactional
    public List<ObservedStore> ofGroup(UUID groupId) {
        return query("d.device_group_id = ?", groupId);
    }

    /** The stores the tenant's unrevoked devices reported, by (level, mainline, manufacturer, set). */
    @Transactional
    public List<ObservedStore> ofTenant(UUID tenantId) {
        return query("d.tenant_id = ?", tenantId);
    }

    private List<ObservedStore> query(String where, UUID id) {
        List<ObservedStore> out = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT o.api_level, o.mainline_version, o.manufacturer, o.store_digest, min(st.sha256s::text), count(*)
                FROM device_observation o JOIN device d ON d.id = o.device_id
                JOIN observed_store_set st ON st.digest = o.store_digest
                WHERE d.revoked_at IS NULL AND d.tenant_id = o.tenant_id AND\s""" + where + """

                GROUP BY o.api_level, o.mainline_version, o.manufacturer, o.store_digest
                ORDER BY o.api_level, o.mainline_version NULLS FIRST, o.manufacturer NULLS FIRST, o.store_digest""")) {
            s.setObject(1, id);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new ObservedStore(r.getInt(1), r.getString(2), r.getString(3), r.getString(4),
                            Set.copyOf(json.read(r.getString(5), STRINGS)), r.getLong(6)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read observed stores", e);
        }
        return out;
    }

    /**
     * Drops a set no device reports any more, so that a device changing its set again and again leaves one set
     * behind, not one per change. Another device may take the set up at the same moment: its reference wins (the
     * foreign key refuses the delete) and the set stays.
     */
    private static void dropIfUnused(Connection c, String digest) throws SQLException {
        java.sql.Savepoint before = c.setSavepoint();
        try (PreparedStatement s = c.prepareStatement("""
                DELETE FROM observed_store_set WHERE digest = ?
                AND NOT EXISTS (SELECT 1 FROM device_observation WHERE store_digest = ?)""")) {
            s.setString(1, digest);
            s.setString(2, digest);
            s.executeUpdate();
            c.releaseSavepoint(before);
        } catch (SQLException e) {
            c.rollback(before);
        }
    }

    static String digest(SortedSet<String> sha256s) {
        return Sha256.hex(String.join(",", new TreeSet<>(sha256s)).getBytes(StandardCharsets.UTF_8));
    }
}
