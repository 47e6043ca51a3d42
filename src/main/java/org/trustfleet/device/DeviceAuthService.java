package org.trustfleet.device;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.tenant.BearerTokens;

/**
 * Device tokens as credentials, on the hot path of every device request. A token is looked up by its SHA-256 in
 * the database and the answer is cached in memory for {@code trustfleet.device.auth-cache-ttl}. Revocation and
 * re-enrollment drop the cache entries of that device on this replica as soon as they commit; other replicas
 * refuse the old token at the latest when their entry expires.
 *
 * <p>Also keeps {@code last_seen_at} current without writing on every request: at most once a minute per device
 * (a conditional UPDATE, so replicas do not repeat each other's writes either).
 */
@ApplicationScoped
public class DeviceAuthService {
    /** Device tokens look like {@code tfd_<43 base64url chars>}. */
    public static final String TOKEN_PREFIX = "tfd";
    static final Duration SEEN_GRANULARITY = Duration.ofMinutes(1);
    private static final int SWEEP_EVERY = 4096;

    private final AgroalDataSource db;
    private final Clock clock;
    private final Duration ttl;
    private final Map<String, Entry> byToken = new ConcurrentHashMap<>();
    private final Map<UUID, Entry> byDevice = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong puts = new AtomicLong();

    private static final class Entry {
        final String key;
        final DeviceIdentity identity;
        final Instant loadedAt;
        volatile Instant lastSeen;

        Entry(String key, DeviceIdentity identity, Instant loadedAt, Instant lastSeen) {
            this.key = key;
            this.identity = identity;
            this.loadedAt = loadedAt;
            this.lastSeen = lastSeen;
        }
    }

    public DeviceAuthService(AgroalDataSource db, Clock clock, TrustfleetConfig config) {
        this.db = db;
        this.clock = clock;
        this.ttl = config.device().authCacheTtl();
    }

    /** The device a token stands for, if it is the live token of a device that is not revoked. */
    public Optional<DeviceIdentity> authenticate(String token) {
        if (!token.startsWith(TOKEN_PREFIX + "_")) {
            return Optional.empty();
        }
        byte[] hash = BearerTokens.hash(token);
        String key = Base64.getEncoder().encodeToString(hash);
        Instant now = clock.instant();
        Entry cached = byToken.get(key);
        if (cached != null && now.isBefore(cached.loadedAt.plus(ttl))) {
            return Optional.of(cached.identity);
        }
        long before = generation.get();
        Optional<Entry> loaded = query("token_hash", hash, key, now);
        if (loaded.isEmpty()) {
            byToken.remove(key);
            return Optional.empty();
        }
        if (generation.get() == before) {
            remember(loaded.get(), now);
        }
        return Optional.of(loaded.get().identity);
    }

    /** The identity of a live device by id (normally answered from the cache filled when its token was checked). */
    public Optional<DeviceIdentity> identity(UUID deviceId) {
        Entry e = byDevice.get(deviceId);
        Instant now = clock.instant();
        if (e != null && now.isBefore(e.loadedAt.plus(ttl))) {
            return Optional.of(e.identity);
        }
        return query("id", deviceId, null, now).map(x -> x.identity);
    }

    /** Notes that the device was seen now; writes at most once a minute per device. */
    public void seen(UUID deviceId) {
        Instant now = clock.instant();
        Entry e = byDevice.get(deviceId);
        if (e != null && now.isBefore(e.lastSeen.plus(SEEN_GRANULARITY))) {
            return;
        }
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE device SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?")) {
            s.setTimestamp(1, Timestamp.from(now));
            s.setObject(2, deviceId);
            s.setTimestamp(3, Timestamp.from(now.minus(SEEN_GRANULARITY)));
            s.executeUpdate();
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot update last seen", ex);
        }
        if (e != null) {
            e.lastSeen = now;
        }
    }

    void onCredentialsChanged(@Observes(during = TransactionPhase.AFTER_SUCCESS) DeviceCredentialsChanged event) {
        forget(event.deviceId());
    }

    /** Drops every cached entry of the device on this replica. */
    public void forget(UUID deviceId) {
        generation.incrementAndGet();
        Entry e = byDevice.remove(deviceId);
        if (e != null) {
            byToken.remove(e.key);
        }
        byToken.values().removeIf(x -> x.identity.deviceId().equals(deviceId));
    }

    private void remember(Entry e, Instant now) {
        byToken.put(e.key, e);
        byDevice.put(e.identity.deviceId(), e);
        if (puts.incrementAndGet() % SWEEP_EVERY == 0) {
            Instant cutoff = now.minus(ttl);
            byToken.values().removeIf(x -> x.loadedAt.isBefore(cutoff));
            byDevice.values().removeIf(x -> x.loadedAt.isBefore(cutoff));
        }
    }

    private Optional<Entry> query(String column, Object value, String key, Instant now) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT id, tenant_id, device_group_id, last_seen_at, token_hash FROM device WHERE " + column
                        + " = ? AND revoked_at IS NULL")) {
            if (value instanceof byte[] bytes) {
                s.setBytes(1, bytes);
            } else {
                s.setObject(1, value);
            }
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                DeviceIdentity identity = new DeviceIdentity(r.getObject(1, UUID.class), r.getObject(2, UUID.class),
                        r.getObject(3, UUID.class));
                String k = key != null ? key : Base64.getEncoder().encodeToString(r.getBytes(5));
                return Optional.of(new Entry(k, identity, now, r.getTimestamp(4).toInstant()));
            }
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot look up the device token", ex);
        }
    }
}
