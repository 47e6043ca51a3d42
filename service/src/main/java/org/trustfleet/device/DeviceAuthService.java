package org.trustfleet.device;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Singleton;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;
import org.trustfleet.cache.BatchedLoads;
import org.trustfleet.cache.BoundedCache;
import org.trustfleet.cache.Caches;
import org.trustfleet.cache.InvalidationFeed;
import org.trustfleet.cache.KeyedLoads;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.payload.SignedPayload;
import org.trustfleet.payload.SignedPayloadService;
import org.trustfleet.tenant.BearerTokens;

/**
 * Device tokens as credentials, and the delivery cache of the device payload hot path: one cache from a token's
 * SHA-256 to what it stands for (device, tenant, group) and, once delivered, the group's signed payload.
 *
 * <p>An entry is kept for up to {@code trustfleet.device.auth-cache-ttl} and dropped when the device's credentials
 * change: at once on this replica when the revocation or re-enrollment commits, and on every replica through the
 * {@link InvalidationFeed} (name {@value #CREDENTIALS}, written by a database trigger when a device's token,
 * revocation, group or tenant changes). Entries are used only while the feed is {@link InvalidationFeed#fresh()
 * fresh}; otherwise every token is checked against the database. So a revoked or replaced token is refused at once
 * on the replica that handled the change and within one poll interval (at most two) on the others. The payload is
 * kept per group (every cached token of the group is served it), dropped when the group's payload or the tenant's
 * signer changes (same feed, names of {@link SignedPayloadService}), and used at most
 * {@code trustfleet.payload.cache-check-interval} after it was loaded.
 *
 * <p>Tokens not cached are looked up a batch at a time ({@link BatchedLoads}: one query for whatever queued while
 * the last one ran), so the hot paths can wait for a lookup without a worker thread, and a cold cache (a replica
 * just started, more devices than {@code trustfleet.device.auth-cache-max-entries}) costs a share of a query per
 * token rather than a round trip each. With {@code trustfleet.device.auth-cache-preload} (the default) a replica
 * fills the cache at start with its live devices' credentials ({@link #preload}), so that it does not meet its fleet
 * cold after a restart.
 */
// @Singleton rather than @ApplicationScoped: no client proxy between the beans of the device payload hot path
@Singleton
public class DeviceAuthService {
    /** Device tokens look like {@code tfd_<43 base64url chars>}. */
    public static final String TOKEN_PREFIX = "tfd";
    /** The feed name of device credential changes (keys: device ids); written by the trigger of migration V20. */
    public static final String CREDENTIALS = "device-credentials";
    /** Most tokens looked up by one query. */
    static final int LOOKUP_BATCH = 500;
    /** Most tokens waiting to be looked up; further ones are refused with 503 until the queue drains. */
    static final int LOOKUP_QUEUE = 10_000;
    private static final String LOOKUP = "SELECT token_hash, id, tenant_id, device_group_id FROM device"
            + " WHERE token_hash = ANY(?) AND revoked_at IS NULL";
    /** Most devices read by one query of the preload. */
    static final int PRELOAD_BATCH = 10_000;
    /** One batch of the preload: the live devices after a device id, in id order (keyset paging on the key). */
    private static final String PRELOAD = "SELECT token_hash, id, tenant_id, device_group_id"
            + " FROM device WHERE id > ? AND revoked_at IS NULL ORDER BY id LIMIT ?";
    private static final Logger LOG = Logger.getLogger(DeviceAuthService.class);

    private final AgroalDataSource db;
    private final Clock clock;
    private final InvalidationFeed feed;
    private final LastSeenRecorder lastSeen;
    private final Duration payloadCheckInterval;
    private final long seenGranularityMicros;
    private final BoundedCache<TokenKey, Entry> tokens;
    private final BoundedCache<UUID, Delivery> groupDeliveries;
    /** Bumped by every credentials invalidation: a lookup that raced one is not remembered. */
    private final AtomicLong credentialsGeneration = new AtomicLong();
    /**
     * Counts payload invalidations per group (and signer rotations for all): a payload loaded across one of its
     * group is not attached, while other groups changing meanwhile (all of them, in a store change) do not matter.
     */
    private final KeyedLoads<UUID> deliveries = new KeyedLoads<>();
    private final BatchedLoads<TokenKey, Entry> lookups;
    private final boolean preload;
    private final int maxEntries;
    /** Runs the preload (one daemon thread, started only when the preload is on); stopped at shutdown. */
    private ExecutorService preloader;
    /** The preload started at start, done when it ended (at once when it is off). */
    private volatile CompletableFuture<Void> startupPreload = CompletableFuture.completedFuture(null);
    private volatile boolean stopping;

    /**
     * A token's SHA-256 as a map key: the digest's first bytes are already uniformly distributed, so they are the
     * hash code, and nothing is encoded or re-hashed per request. A request looks up a plain key; the cache holds each
     * {@link Entry} as its own key.
     */
    private static class TokenKey {
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

        /** The digest again, as stored in {@code device.token_hash}. */
        byte[] sha256() {
            return ByteBuffer.allocate(32).putLong(a).putLong(b).putLong(c).putLong(d).array();
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

    /**
     * A group's payload as this replica last served it, shared by every cached token of the group and looked up by
     * the group on each hit: it is re-checked once per group and {@code trustfleet.payload.cache-check-interval}, not
     * once per device, and a change of the group's payload drops one entry, whatever the number of cached tokens (a
     * platform store change changes tens of thousands of groups).
     */
    private record Delivery(SignedPayload payload, Instant checkedAt) {}

    /**
     * What a cached token stands for. The device id's bits and the last-seen time are fields of the entry itself, not
     * objects it points to: a request of a fleet of a million devices reads an entry nothing else read lately, and
     * every further object is one more miss of the CPU's caches on the hot path. (The tenant and group ids are
     * shared by the entries of a group, so they are usually in the caches.) An entry is a key too (its token's
     * digest, equal to the key a request looks up), and the cache holds it as its own key: one object per cached
     * token rather than two, 16 bytes less each and a million objects fewer for the collector to mark in a fleet's
     * cache. (A token looked up again while cached keeps its first entry as the key; only the digest of a key is
     * read.)
     */
    private static final class Entry extends TokenKey {
        /** 2026-01-01T00:00:00Z, in epoch seconds: an int of seconds from it reaches from 1958 to 2094. */
        static final long SECONDS_BASE = 1_767_225_600L;

        final long deviceHigh;
        final long deviceLow;
        final UUID tenantId;
        final UUID groupId;
        /**
         * When this replica last noted the device as seen, in microseconds since the epoch; 0 until it does. Plain,
         * not volatile: a request that reads an older value notes the device once more, which the write tolerates.
         * The time in the database is not read: a device that fetches less often than
         * {@code last-seen-granularity} (every 15 minutes, against a minute) is written at every fetch anyway, and
         * reading it would cost the lookup and the preload a second table (V37); a device that asks more often is
         * written once more per cache entry.
         */
        long lastSeenMicros;
        /**
         * When the entry was made, in seconds since {@link #SECONDS_BASE} (the cache's expiry; an int, which the
         * object's alignment leaves room for: the entry stays 80 bytes).
         */
        final int madeSecond;

        Entry(byte[] sha256, DeviceIdentity identity, long nowSecond) {
            super(sha256);
            this.madeSecond = Math.toIntExact(nowSecond - SECONDS_BASE);
            this.deviceHigh = identity.deviceId().getMostSignificantBits();
            this.deviceLow = identity.deviceId().getLeastSignificantBits();
            this.tenantId = identity.tenantId();
            this.groupId = identity.groupId();
        }

        DeviceIdentity identity() {
            return new DeviceIdentity(deviceId(), tenantId, groupId);
        }

        /** When the entry was made, in epoch seconds. */
        long madeAtSecond() {
            return SECONDS_BASE + madeSecond;
        }

        UUID deviceId() {
            return new UUID(deviceHigh, deviceLow);
        }

        boolean isDevice(UUID id) {
            return id.getMostSignificantBits() == deviceHigh && id.getLeastSignificantBits() == deviceLow;
        }

        boolean standsFor(DeviceIdentity device) {
            return isDevice(device.deviceId()) && tenantId.equals(device.tenantId())
                    && Objects.equals(groupId, device.groupId());
        }
    }

    public DeviceAuthService(AgroalDataSource db, Clock clock, TrustfleetConfig config, InvalidationFeed feed,
            LastSeenRecorder lastSeen) {
        this.db = db;
        this.clock = clock;
        this.feed = feed;
        this.lastSeen = lastSeen;
        this.payloadCheckInterval = config.payload().cacheCheckInterval();
        Duration seenGranularity = config.device().lastSeenGranularity();
        if (seenGranularity.isNegative() || seenGranularity.compareTo(config.device().staleAfter()) >= 0) {
            throw new IllegalArgumentException("trustfleet.device.last-seen-granularity must be at least 0 and "
                    + "below trustfleet.device.stale-after");
        }
        this.seenGranularityMicros = seenGranularity.toNanos() / 1000;
        this.preload = config.device().authCachePreload();
        this.maxEntries = config.device().authCacheMaxEntries();
        this.tokens = Caches.admissionBounded("device-tokens", maxEntries, config.device().authCacheTtl(), clock,
                Entry::madeAtSecond);
        // read on the hot path too: the hot-path variant (maintenance off the event loop); an entry is re-checked
        // well before this expiry anyway
        this.groupDeliveries = Caches.hotPath("group-deliveries", config.cache().signedPayloadsMaxEntries(),
                config.device().authCacheTtl(), clock);
        this.lookups = new BatchedLoads<>("device-token-lookups", LOOKUP_BATCH, LOOKUP_QUEUE, this::load,
                () -> TrustfleetException.unavailable("too many device tokens are waiting to be checked; retry later",
                        ReportBatcher.RETRY_AFTER));
        feed.subscribe(CREDENTIALS, new InvalidationFeed.Subscriber() {
            @Override
            public void invalidate(Set<String> deviceIds) {
                Set<UUID> ids = uuids(deviceIds);
                forgetIf(e -> ids.contains(e.deviceId()));
            }

            @Override
            public void invalidateAll() {
                credentialsGeneration.incrementAndGet();
                tokens.invalidateAll();
            }
        });
        feed.subscribe(SignedPayloadService.GROUP_PAYLOADS, payloadSubscriber(false));
        feed.subscribe(SignedPayloadService.TENANT_SIGNERS, payloadSubscriber(true));
    }

    /** Whether the token has the form of a device token (only those are ever looked up here). */
    public static boolean isDeviceToken(String token) {
        return token.startsWith(TOKEN_PREFIX + "_");
    }

    /**
     * The signed payload to serve for this token from memory, never blocking (the hot path), or {@code null} when
     * only {@link DeviceService#payload} (which may block) can tell. A hit notes the device as seen.
     */
    public SignedPayload cachedDelivery(String token) {
        Entry e = cached(token);
        if (e == null) {
            return null;
        }
        Instant now = clock.instant();
        SignedPayload payload = groupPayload(e.groupId, now);
        if (payload != null) {
            noteSeen(e, now);
        }
        return payload;
    }

    /**
     * As {@link #cachedDelivery(String)}, for a device {@link #lookUp looked up} just now: its token need not be in
     * the cache (a full cache admits no new token), only its group's payload.
     */
    public SignedPayload cachedDelivery(String token, DeviceIdentity device) {
        if (!feed.fresh()) {
            return null;
        }
        Instant now = clock.instant();
        SignedPayload payload = groupPayload(device.groupId(), now);
        if (payload != null) {
            noteSeen(device, cached(token), now);
        }
        return payload;
    }

    /** The group's payload from memory, if it may still be served at {@code now}, or null. */
    private SignedPayload groupPayload(UUID groupId, Instant now) {
        Delivery d = groupId == null ? null : groupDeliveries.get(groupId);
        if (d == null || !d.payload().freshAt(now) || !now.isBefore(d.checkedAt().plus(payloadCheckInterval))) {
            return null;
        }
        return d.payload();
    }

    /** The token's cache entry, if the cache may answer for it (a device token, the feed fresh), or null. */
    private Entry cached(String token) {
        return isDeviceToken(token) ? cached(new TokenKey(BearerTokens.hash(token))) : null;
    }

    /** The key's cache entry, if the cache may answer (the feed fresh), or null. */
    private Entry cached(TokenKey key) {
        return feed.fresh() ? tokens.get(key) : null;
    }

    /** What this replica's token cache holds for the token, without looking it up (tests). */
    Optional<DeviceIdentity> cachedIdentity(String token) {
        Entry e = isDeviceToken(token) ? tokens.get(new TokenKey(BearerTokens.hash(token))) : null;
        return e == null ? Optional.empty() : Optional.of(e.identity());
    }

    /** The device a token stands for, if it is the live token of a device that is not revoked (may block). */
    public Optional<DeviceIdentity> authenticate(String token) {
        try {
            return lookUp(token).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /**
     * As {@link #authenticate}, never blocking: the device at once when this replica's cache may answer, otherwise
     * once the token's batch was looked up (and the cache filled). Fails with 503 when too many tokens are waiting,
     * or as the lookup failed.
     */
    public CompletableFuture<Optional<DeviceIdentity>> lookUp(String token) {
        if (!isDeviceToken(token)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        TokenKey key = new TokenKey(BearerTokens.hash(token));
        Entry cached = cached(key);
        if (cached != null) {
            return CompletableFuture.completedFuture(Optional.of(cached.identity()));
        }
        return lookups.get(key).thenApply(e -> e == null ? Optional.empty() : Optional.of(e.identity()));
    }

    /** The stamp to pass to {@link #delivered}, taken before the group's payload is loaded. */
    KeyedLoads.Stamp deliveryStamp(UUID groupId) {
        return deliveries.stamp(groupId);
    }

    /**
     * Notes that {@code payload} was served to the device of {@code token} (seen now) and keeps it for the group's
     * next requests, unless the group's payload (or every payload of a tenant) was invalidated since
     * {@code stamp}.
     */
    void delivered(String token, DeviceIdentity device, SignedPayload payload, KeyedLoads.Stamp stamp) {
        Instant now = clock.instant();
        Entry e = tokens.get(new TokenKey(BearerTokens.hash(token)));
        noteSeen(device, e, now);
        // kept for the group whether or not the token is cached (a full cache admits no new token)
        if (deliveries.current(stamp) && payload.groupId().equals(device.groupId())) {
            groupDeliveries.put(device.groupId(), new Delivery(payload, now));
        }
    }

    /** The pending last-seen times, written now (before devices are read on this replica). */
    void flushSeen() {
        lastSeen.flush();
    }

    void onCredentialsChanged(@Observes(during = TransactionPhase.AFTER_SUCCESS) DeviceCredentialsChanged event) {
        UUID id = event.deviceId();
        forgetIf(e -> e.isDevice(id));
    }

    /**
     * Notes the device as seen: through the token's cache entry {@code e} if it stands for this device (at most once
     * per granularity), else at once.
     */
    private void noteSeen(DeviceIdentity device, Entry e, Instant now) {
        if (e != null && e.standsFor(device)) {
            noteSeen(e, now);
        } else {
            lastSeen.note(device.deviceId(), now);
        }
    }

    private void noteSeen(Entry e, Instant now) {
        long micros = LastSeenRecorder.micros(now);
        if (micros - e.lastSeenMicros < seenGranularityMicros) {
            return;
        }
        lastSeen.note(e.deviceHigh, e.deviceLow, micros);
        e.lastSeenMicros = micros;
    }

    private void forgetIf(Predicate<Entry> matches) {
        credentialsGeneration.incrementAndGet();
        tokens.invalidateIf(matches);
    }

    /** Drops the group deliveries of the groups ({@code byTenant} false) or tenants named by the feed's keys. */
    private InvalidationFeed.Subscriber payloadSubscriber(boolean byTenant) {
        return new InvalidationFeed.Subscriber() {
            @Override
            public void invalidate(Set<String> keys) {
                Set<UUID> ids = uuids(keys);
                // counted first: a load that raced this does not put its (old) payload back
                if (byTenant) {
                    deliveries.invalidatedAll();
                } else {
                    ids.forEach(deliveries::invalidated);
                }
                if (byTenant) {
                    groupDeliveries.invalidateIf(d -> ids.contains(d.payload().tenantId())); // signer rotation: rare
                } else {
                    groupDeliveries.invalidateAll(ids);
                }
            }

            @Override
            public void invalidateAll() {
                deliveries.invalidatedAll();
                groupDeliveries.invalidateAll();
            }
        };
    }

    private static Set<UUID> uuids(Set<String> keys) {
        Set<UUID> ids = new HashSet<>();
        for (String k : keys) {
            ids.add(UUID.fromString(k));
        }
        return ids;
    }

    /**
     * Looks a batch of tokens up in one query and caches what it finds, unless a credentials change arrived
     * meanwhile; a token not found (unknown, replaced or revoked) is dropped from the cache.
     */
    private Map<TokenKey, Entry> load(Set<TokenKey> keys) {
        long before = credentialsGeneration.get();
        long nowSecond = nowSecond();
        Map<TokenKey, Entry> found = new HashMap<>();
        byte[][] hashes = new byte[keys.size()][];
        int i = 0;
        for (TokenKey key : keys) {
            hashes[i++] = key.sha256();
        }
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(LOOKUP)) {
            s.setArray(1, c.createArrayOf("bytea", hashes));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Entry e = entry(r, UnaryOperator.identity(), nowSecond);
                    found.put(e, e);
                }
            }
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot look up the device token", ex);
        }
        boolean current = credentialsGeneration.get() == before;
        Set<TokenKey> put = new HashSet<>();
        for (TokenKey key : keys) {
            Entry e = found.get(key);
            if (e == null) {
                tokens.invalidate(key);
            } else if (current) {
                tokens.put(e, e);
                put.add(e);
            }
        }
        keepIfCurrent(before, put);
        return found;
    }

    /**
     * Whether the entries just put may stay: they are dropped if a credentials change arrived since
     * {@code generation} was read, because one that arrived before this check may have finished dropping entries
     * before they were put. (One arriving after it drops them itself, after they were put.)
     */
    private boolean keepIfCurrent(long generation, Set<TokenKey> put) {
        if (credentialsGeneration.get() == generation) {
            return true;
        }
        tokens.invalidateAll(put);
        return false;
    }

    /** The clock's epoch second, as the token cache's expiry reads it. */
    private long nowSecond() {
        return Math.floorDiv(clock.millis(), 1000);
    }

    /** A cache entry from a row of {@link #LOOKUP} or {@link #PRELOAD}, its tenant and group ids passed to canonical. */
    private static Entry entry(ResultSet r, UnaryOperator<UUID> canonical, long nowSecond) throws SQLException {
        UUID groupId = r.getObject(4, UUID.class);
        DeviceIdentity identity = new DeviceIdentity(r.getObject(2, UUID.class),
                canonical.apply(r.getObject(3, UUID.class)), groupId == null ? null : canonical.apply(groupId));
        return new Entry(r.getBytes(1), identity, nowSecond);
    }

    /** Starts the preload, if it is on, once the invalidation feed's first poll has dropped everything. */
    void startPreload(@Observes StartupEvent event) {
        if (!preload || maxEntries == 0) {
            return;
        }
        preloader = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("device-token-preload")
                .factory());
        startupPreload = feed.firstPolled().thenRunAsync(this::preloadQuietly, preloader).toCompletableFuture();
    }

    /** Completes when the preload started at start has ended (tests: a preload of their own is then the only one). */
    CompletableFuture<Void> startupPreload() {
        return startupPreload;
    }

    private void preloadQuietly() {
        try {
            preload();
        } catch (RuntimeException e) {
            // the cache fills as devices ask instead
            LOG.warnf("Preloading the device-token cache stopped: %s", e.getMessage());
        }
    }

    /**
     * Fills the token cache with the live devices' credentials, up to {@code auth-cache-max-entries}, a batch at a
     * time, without replacing an entry a lookup put meanwhile. A batch during which a credentials change arrived is
     * read again once, then skipped (its devices are looked up when they ask). The tenant and group ids of the
     * entries are shared, not one copy per device. Returns how many entries it put.
     */
    long preload() {
        long started = System.nanoTime();
        Map<UUID, UUID> canonical = new HashMap<>();
        UnaryOperator<UUID> intern = id -> canonical.computeIfAbsent(id, k -> k);
        UUID after = new UUID(0, 0); // the smallest in PostgreSQL's order (unsigned bytes) too
        long loaded = 0;
        long skipped = 0;
        while (loaded < maxEntries && !stopping && tokens.size() < maxEntries) {
            int limit = (int) Math.min(PRELOAD_BATCH, maxEntries - loaded);
            PreloadBatch batch = preloadBatch(after, limit, intern);
            if (!batch.kept()) {
                batch = preloadBatch(after, limit, intern);
            }
            if (batch.kept()) {
                loaded += batch.put();
            } else {
                skipped += batch.read();
            }
            if (batch.read() < limit) {
                break;
            }
            after = batch.last();
        }
        LOG.infof("Preloaded the credentials of %d devices into the device-token cache in %d ms%s", loaded,
                (System.nanoTime() - started) / 1_000_000,
                skipped == 0 ? "" : " (" + skipped + " skipped: their credentials changed meanwhile)");
        return loaded;
    }

    /** One batch of the preload: rows read, entries put (0 unless kept), the last device id read. */
    private record PreloadBatch(int read, int put, UUID last, boolean kept) {}

    private PreloadBatch preloadBatch(UUID after, int limit, UnaryOperator<UUID> intern) {
        long before = credentialsGeneration.get();
        long nowSecond = nowSecond();
        List<Entry> found = new ArrayList<>();
        UUID last = after;
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(PRELOAD)) {
            s.setObject(1, after);
            s.setInt(2, limit);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Entry e = entry(r, intern, nowSecond);
                    found.add(e);
                    last = e.deviceId();
                }
            }
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot read the devices to preload", ex);
        }
        Set<TokenKey> put = new HashSet<>();
        if (credentialsGeneration.get() == before) {
            for (Entry e : found) {
                if (tokens.addIfAbsent(e, e)) {
                    put.add(e);
                }
            }
        }
        boolean kept = keepIfCurrent(before, put);
        return new PreloadBatch(found.size(), kept ? put.size() : 0, last, kept);
    }

    /** Looks up what is queued, then refuses further tokens (observed early, while the datasource is still open). */
    void stop(@Observes @Priority(1) ShutdownEvent event) {
        stopping = true;
        if (preloader != null) {
            preloader.shutdownNow();
        }
        lookups.close();
    }
}
