package org.trustfleet.device;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.pki.Sha256;
import org.trustfleet.policy.ObservedStoresChanged;
import org.trustfleet.truststore.ObservedStoreService;

/**
 * Takes what a device reports about itself (facts and the SHA-256 set of its system CA store), checks every field,
 * and keeps it as the device's one observation; a change tells the policy side, which recomputes the device's group
 * when it computes for observed stores.
 */
@ApplicationScoped
public class DeviceObservationService {
    private final AgroalDataSource db;
    private final ObservedStoreService stores;
    private final Clock clock;
    private final Event<ObservedStoresChanged> changed;

    public DeviceObservationService(AgroalDataSource db, ObservedStoreService stores, Clock clock,
            Event<ObservedStoresChanged> changed) {
        this.db = db;
        this.stores = stores;
        this.clock = clock;
        this.changed = changed;
    }

    /** Replaces the device's observation; 400 for an id that is not 64 hex digits (nothing is stored then). */
    @Transactional
    public void record(UUID deviceId, @NotNull @Valid DeviceObservationInput body) {
        DeviceIdentity device = device(deviceId);
        SortedSet<String> ids = new TreeSet<>();
        List<String> reported = body.systemStore();
        for (int i = 0; i < reported.size(); i++) {
            int at = i;
            ids.add(Sha256.parse(reported.get(i)).orElseThrow(() -> TrustfleetException.validation("'systemStore["
                    + at + "]' must be a hex SHA-256 fingerprint (64 characters)")));
        }
        DeviceObservationInput.Facts f = body.facts();
        ObservedStoreService.Facts facts = new ObservedStoreService.Facts(text(f.manufacturer()), text(f.model()),
                text(f.release()), f.apiLevel(), text(f.securityPatch()), text(f.mainlineVersion()));
        if (stores.record(deviceId, device.tenantId(), facts, ids, clock.instant()) && device.groupId() != null) {
            changed.fire(new ObservedStoresChanged(device.tenantId(), device.groupId()));
        }
    }

    private static String text(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private DeviceIdentity device(UUID deviceId) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT tenant_id, device_group_id FROM device WHERE id = ? AND revoked_at IS NULL")) {
            s.setObject(1, deviceId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw new TrustfleetException(ErrorKind.UNAUTHENTICATED, "the device token is unknown or revoked");
                }
                return new DeviceIdentity(deviceId, r.getObject(1, UUID.class), r.getObject(2, UUID.class));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the device", e);
        }
    }
}
