package org.trustfleet.device;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.transaction.Transactional;
import jakarta.inject.Singleton;
import java.nio.ByteBuffer;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.tenant.BearerTokens;

/**
 * Device tokens as credentials, on the hot path of every device request.
 *
 * <p><b>Token cache.</b> A token is looked up by its SHA-256 in the database and the answer (device, tenant, group)
 * is kept in memory for up to {@code trustfleet.device.auth-cache-ttl}. Entries are not trusted for a short time
 * but dropped when the device's credentials change:
 * <ul>
 *   <li>revocation and re-enrollment on this replica drop the device's entries as soon as they commit;</li>
 *   <li>every replica polls the database every {@code trustfleet.device.credentials-poll-interval} for devices whose
 *       {@code credentials_changed_at} (set by a trigger when the token, revocation, group or tenant of a device
 *       changes; migration V7) moved, and drops their entries. Each poll re-reads the last
 *       {@link #FEED_OVERLAP} so that a change whose transaction commits late is not missed;</li>
 *   <li>the cache is used only while the last successful poll started less than two poll intervals ago: when
 *       polls fail or fall behind, every token is checked against the database until a poll succeeds again.</li>
 * </ul>
 * So a revoked or replaced token is refused at once on the replica that handled the change and within one poll
 * interval (at most two) on the others.
 *
 * <p><b>Last seen.</b> {@code last_seen_at} is kept current without writing on every request: a device is noted in
 * memory at most once a minute, and the noted devices are written in one batched UPDATE every
 * {@code trustfleet.device.last-seen-flush-interval}, before the device list or a device is read on this replica,
 * and at shutdown.
 */
// @Singleton rather than @ApplicationScoped: no client proxy between the beans of the device payload hot path
@Singleton
public class DeviceAuthService {
    private static final Logger LOG = Logger.getLogger(DeviceAuthService.class);
    /** Device tokens look like {@code tfd_<43 base64url chars>}. */
    public static final String TOKEN_PREFIX = "tfd";
    static final Duration SEEN_GRANULARITY = Duration.ofMinutes(1);
    /** How far back each poll of the change feed looks beyond the previous poll (for late-committing changes). */
    static final Duration FEED_OVERLAP = Duration.ofMinutes(1);
    private static final int SEEN_BATCH = 5000;

    private final AgroalDataSource db;
    private final Clock clock;
    private final Duration ttl;
    private final Duration pollInterval;
    private final long trustNanos;
    private final int maxEntries;
    private final Duration flushInterval;
    private final Map<TokenKey, Entry> byToken = new ConcurrentHashMap<>();
    private final Map<UUID, Entry> byDevice = new ConcurrentHashMap<>();
    private final Map<UUID, Instant> pendingSeen = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final Object flushLock = new Object();
    /** System.nanoTime() at the start of the last successful poll; the cache is trusted only while it is recent. */
    private volatile long lastPollStart;
    private volatile boolean polledOnce;
    /** Database time from which the next poll looks for changes. */
    private Timestamp feedCursor;
    private ScheduledExecutorService background;

    /**
     * A token's SHA-256 as a map key: the digest's first bytes are already uniformly distributed, so they are the
     * hash code, and nothing is encoded or re-hashed per request.
     */
    private static final class TokenKey {
        // the digest's 32 bytes held in the key itself: one memory access per comparison, not two
        final long a;
        final long b;
        final long c;
        final long d;

        TokenKey(byte[] sha256) {
            ByteBuffer digest = ByteBuffer.wrap(sha256);
            a = digest.getLong();
            b = digest.getLong();
            c = digest.getLong();
            d = digest.getLong();
        }

        @Override
        public int hashCode() {
            return (int) a;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TokenKey k && a == k.a && b == k.b && c == k.c && d == k.d;
        }
    }

    private static final class Entry {
        final TokenKey key;
        final DeviceIdentity identity;
        final Instant loadedAt;
        volatile Instant lastSeen;

        Entry(TokenKey key, DeviceIdentity identity, Instant loadedAt, Instant lastSeen) {
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
        this.pollInterval = config.device().credentialsPollInterval();
        this.trustNanos = pollInterval.multipliedBy(2).toNanos();
        this.maxEntries = config.device().authCacheMaxEntries();
        this.flushInterval = config.device().lastSeenFlushInterval();
        if (pollInterval.isNegative() || pollInterval.isZero() || flushInterval.isNegative()
                || flushInterval.isZero()) {
            throw new IllegalStateException("trustfleet.device.credentials-poll-interval and "
                    + "trustfleet.device.last-seen-flush-interval must be positive");
        }
    }

    void start(@Observes StartupEvent event) {
        background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trustfleet-device-credentials");
            t.setDaemon(true);
            return t;
        });
        background.scheduleWithFixedDelay(this::pollQuietly, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        background.scheduleWithFixedDelay(this::flushQuietly, flushInterval.toMillis(), flushInterval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Stops polling and writes the last-seen times still pending (graceful shutdown loses none). */
    void stop(@Observes @Priority(1) ShutdownEvent event) {
        if (background != null) {
            background.shutdown();
            try {
                background.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flushQuietly();
    }

    /** The device a token stands for, if it is the live token of a device that is not revoked (may block). */
    public Optional<DeviceIdentity> authenticate(String token) {
        if (!isDeviceToken(token)) {
            return Optional.empty();
        }
        byte[] hash = BearerTokens.hash(token);
        TokenKey key = new TokenKey(hash);
        Instant now = clock.instant();
        Entry cached = usable(byToken.get(key), now);
        if (cached != null) {
            return Optional.of(cached.identity);
        }
        long before = generation.get();
        Optional<Entry> loaded = query("token_hash", hash, key, now);
        if (loaded.isEmpty()) {
            Entry stale = byToken.get(key);
            if (stale != null) {
                drop(stale);
            }
            return Optional.empty();
        }
        if (generation.get() == before) {
            remember(loaded.get());
        }
        return Optional.of(loaded.get().identity);
    }

    /** Whether the token has the form of a device token (only those are ever looked up here). */
    public static boolean isDeviceToken(String token) {
        return token.startsWith(TOKEN_PREFIX + "_");
    }

    /**
     * The device a token stands for, from memory only (never blocks): {@code null} when this cannot be told without
     * the database, i.e. the token is not cached or the cache is not trusted right now.
     */
    public DeviceIdentity authenticateFromMemory(String token) {
        if (!isDeviceToken(token)) {
            return null;
        }
        Entry e = usable(byToken.get(new TokenKey(BearerTokens.hash(token))), clock.instant());
        return e == null ? null : e.identity;
    }

    /** The identity of a live device by id (normally answered from the cache filled when its token was checked). */
    public Optional<DeviceIdentity> identity(UUID deviceId) {
        Instant now = clock.instant();
        Entry e = usable(byDevice.get(deviceId), now);
        if (e != null) {
            return Optional.of(e.identity);
        }
        return query("id", deviceId, null, now).map(x -> x.identity);
    }

    /**
     * The identity of a device from memory only (never blocks), or {@code null}. A device that still has a group is
     * noted as seen (as {@link #seen} does) in the same lookup, since the caller is about to serve it its payload;
     * one whose group was deleted is not (it gets 410, as on the database path).
     */
    public DeviceIdentity seenFromMemory(UUID deviceId) {
        Instant now = clock.instant();
        Entry e = usable(byDevice.get(deviceId), now);
        if (e == null) {
            return null;
        }
        if (e.identity.groupId() != null) {
            noteSeen(deviceId, e, now);
        }
        return e.identity;
    }

    /**
     * Notes that the device was seen now: in memory, at most once a minute per device; written by the next flush.
     * Never blocks.
     */
    public void seen(UUID deviceId) {
        noteSeen(deviceId, byDevice.get(deviceId), clock.instant());
    }

    private void noteSeen(UUID deviceId, Entry e, Instant now) {
        if (e != null && now.isBefore(e.lastSeen.plus(SEEN_GRANULARITY))) {
            return;
        }
        pendingSeen.merge(deviceId, now, (a, b) -> a.isAfter(b) ? a : b);
        if (e != null) {
            e.lastSeen = now;
        }
    }

    /**
     * Writes the pending last-seen times now (batched UPDATEs, outside any caller transaction so that a caller's
     * rollback cannot lose them); what fails stays pending for the next flush.
     */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public void flushSeen() {
        if (pendingSeen.isEmpty()) {
            return;
        }
        synchronized (flushLock) {
            Iterator<Map.Entry<UUID, Instant>> it = pendingSeen.entrySet().iterator();
            while (it.hasNext()) {
                List<UUID> ids = new ArrayList<>();
                List<Instant> times = new ArrayList<>();
                while (it.hasNext() && ids.size() < SEEN_BATCH) {
                    Map.Entry<UUID, Instant> e = it.next();
                    ids.add(e.getKey());
                    times.add(e.getValue());
                }
                writeSeen(ids, times);
                for (int i = 0; i < ids.size(); i++) {
                    pendingSeen.remove(ids.get(i), times.get(i)); // a later sighting noted meanwhile stays pending
                }
            }
        }
    }

    private void writeSeen(List<UUID> ids, List<Instant> times) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                UPDATE device AS d SET last_seen_at = v.seen
                FROM unnest(?::uuid[], ?::timestamptz[]) AS v(id, seen)
                WHERE d.id = v.id AND d.last_seen_at < v.seen""")) {
            Timestamp[] ts = new Timestamp[times.size()];
            for (int i = 0; i < ts.length; i++) {
                ts[i] = Timestamp.from(times.get(i));
            }
            Array idArray = c.createArrayOf("uuid", ids.toArray());
            Array timeArray = c.createArrayOf("timestamptz", ts);
            s.setArray(1, idArray);
            s.setArray(2, timeArray);
            s.executeUpdate();
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot update last seen", ex);
        }
    }

    private void flushQuietly() {
        try {
            flushSeen();
        } catch (RuntimeException e) {
            LOG.warnf("Writing last-seen times failed (kept for the next flush): %s", e.getMessage());
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
            byToken.remove(e.key, e);
        }
    }

    /** One poll of the change feed: drops the entries of every device whose credentials changed. */
    void pollChanges() {
        long start = System.nanoTime();
        List<UUID> changed = new ArrayList<>();
        Timestamp dbNow;
        try (Connection c = db.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("SELECT clock_timestamp()");
                    ResultSet r = s.executeQuery()) {
                r.next();
                dbNow = r.getTimestamp(1);
            }
            if (feedCursor != null) {
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT id FROM device WHERE credentials_changed_at >= ?")) {
                    s.setTimestamp(1, feedCursor);
                    try (ResultSet r = s.executeQuery()) {
                        while (r.next()) {
                            changed.add(r.getObject(1, UUID.class));
                        }
                    }
                }
            }
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot poll device credential changes", ex);
        }
        if (!changed.isEmpty()) {
            generation.incrementAndGet();
            for (UUID id : changed) {
                forget(id);
            }
        }
        if (feedCursor == null) {
            // the first poll: whatever was cached before it may predate any change, so start from scratch
            generation.incrementAndGet();
            byToken.clear();
            byDevice.clear();
        }
        feedCursor = Timestamp.from(dbNow.toInstant().minus(FEED_OVERLAP));
        lastPollStart = start;
        polledOnce = true;
    }

    private void pollQuietly() {
        try {
            pollChanges();
        } catch (RuntimeException e) {
            LOG.warnf("Polling device credential changes failed (tokens are checked against the database until a "
                    + "poll succeeds): %s", e.getMessage());
        }
    }

    private Entry usable(Entry e, Instant now) {
        if (e == null || !polledOnce || System.nanoTime() - lastPollStart > trustNanos
                || !now.isBefore(e.loadedAt.plus(ttl))) {
            return null;
        }
        return e;
    }

    private void remember(Entry e) {
        if (byToken.size() >= maxEntries) {
            shrink();
        }
        byToken.put(e.key, e);
        Entry previous = byDevice.put(e.identity.deviceId(), e);
        if (previous != null && previous != e) {
            // a device has one live token: an entry of its earlier token (re-enrollment) must not outlive this one
            byToken.remove(previous.key, previous);
        }
    }

    private void drop(Entry e) {
        byToken.remove(e.key, e);
        byDevice.remove(e.identity.deviceId(), e);
    }

    /** Makes room: drops expired entries, then about a tenth of the rest (hash order, so effectively random). */
    private void shrink() {
        Instant cutoff = clock.instant().minus(ttl);
        byToken.values().removeIf(x -> x.loadedAt.isBefore(cutoff));
        byDevice.values().removeIf(x -> x.loadedAt.isBefore(cutoff));
        if (byToken.size() >= maxEntries) {
            int toDrop = Math.max(1, maxEntries / 10);
            Iterator<Entry> it = byToken.values().iterator();
            while (it.hasNext() && toDrop-- > 0) {
                Entry e = it.next();
                it.remove();
                byDevice.remove(e.identity.deviceId(), e);
            }
        }
    }

    private Optional<Entry> query(String column, Object value, TokenKey key, Instant now) {
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
                TokenKey k = key != null ? key : new TokenKey(r.getBytes(5));
                Instant seen = r.getTimestamp(4).toInstant();
                Instant pending = pendingSeen.get(identity.deviceId());
                return Optional.of(new Entry(k, identity, now,
                        pending != null && pending.isAfter(seen) ? pending : seen));
            }
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot look up the device token", ex);
        }
    }
}
