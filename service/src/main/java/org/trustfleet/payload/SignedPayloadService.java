package org.trustfleet.payload;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;
import org.trustfleet.cache.BatchedLoads;
import org.trustfleet.cache.BoundedCache;
import org.trustfleet.cache.Caches;
import org.trustfleet.cache.InvalidationFeed;
import org.trustfleet.cache.KeyedLoads;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.pki.Sha256;
import org.trustfleet.policy.CertificateSet;
import org.trustfleet.policy.DeviceGroupService;
import org.trustfleet.policy.RequirementsChanged;
import org.trustfleet.policy.RequirementsService;
import org.trustfleet.scan.StartTlsProtocol;

/**
 * Produces and caches each group's signed payload. The CMS bytes are made once per (group, requirements version,
 * signer, issuance), stored in {@code signed_payload} so that every replica serves the same bytes and ETag. A replica
 * keeps what identifies each group's payload in memory for the hot path (enough for a 304), and the bytes of as many
 * as {@link PayloadBytes} holds; a 200 whose bytes are not held reads them from {@code signed_payload}
 * ({@link #bytes}), a batch of groups per statement. A payload is re-signed (same version, later issuedAt and
 * expiresAt) only when less than half of its validity is left; agents accept such a refresh.
 *
 * <p>Staleness: a group's entry is dropped when its requirements change or its tenant's signer rotates, through the
 * {@link InvalidationFeed} (at once on the replica that made the change, within one poll elsewhere), and entries are
 * used only while the feed is {@link InvalidationFeed#fresh() fresh}: a replica that cannot poll does not know what
 * changed, so each load checks. As a backstop for changes no feed row tells of (made around the service), entries
 * are re-checked against the database every {@code trustfleet.payload.cache-check-interval}. A re-check, and any
 * load that finds the stored payload current (made by another replica, or before a restart), costs one statement
 * comparing the stored payload's version and signer with the group's and the tenant's, which returns what identifies
 * the stored payload, not its bytes: the requirements' certificates are read and the signer unsealed only to sign.
 * At a fleet's pace a group is fetched less often than the interval, so most fetches re-check (measured at
 * that pace: with this cache and the token cache holding every group and device, a 5-minute interval took a fetch
 * from 272 to 169 µs of service CPU; with the packaged sizes it gains nothing, most fetches finding no entry;
 * bench/scale/RESULTS.md Run 33).
 */
// @Singleton rather than @ApplicationScoped: no client proxy between the beans of the device payload hot path
@Singleton
public class SignedPayloadService {
    /** The feed name of a group's payload changes (keys: group ids): new requirements. */
    public static final String GROUP_PAYLOADS = "group-payload";
    /** The feed name of a tenant's signer changes (keys: tenant ids): rotation. */
    public static final String TENANT_SIGNERS = "tenant-signer";
    private static final Logger LOG = Logger.getLogger(SignedPayloadService.class);
    /** Most groups whose bytes one statement reads, and most fetches that may wait for theirs. */
    static final int BYTES_BATCH = 200;
    static final int BYTES_QUEUE = 10_000;
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final RequirementsService requirements;
    private final DeviceGroupService groups;
    private final SigningKeyService keys;
    private final AgroalDataSource db;
    private final Clock clock;
    private final Duration validity;
    private final Duration checkInterval;
    private final InvalidationFeed feed;
    private final PayloadBytes bytes;
    private final BoundedCache<UUID, Entry> cache;
    /**
     * Payloads whose bytes a 200 read from {@code signed_payload}, this replica not holding them: what sizing
     * {@code payload-bytes-max-size} saves (the bytes cache's own hit count counts lookups by group).
     */
    private final Counter bytesRead;
    /** The stored bytes of the payloads whose bytes a 200 needs and this replica does not hold, a batch at a time. */
    private final BatchedLoads<StoredBytes, byte[]> storedBytes;
    /** One load per group and replica, kept unless the group (or every group of a tenant) changed meanwhile. */
    private final KeyedLoads<UUID> loads = new KeyedLoads<>();

    private record Entry(SignedPayload payload, Instant checkedAt) {}

    /** A payload's bytes as {@code signed_payload} holds them: the group's row, if it still has this ETag. */
    private record StoredBytes(UUID groupId, String etag) {}

    /** A payload just signed, with its bytes (stored, and kept in {@link PayloadBytes} once stored). */
    private record Signed(SignedPayload payload, byte[] cms) {}

    public SignedPayloadService(RequirementsService requirements, DeviceGroupService groups, SigningKeyService keys,
            AgroalDataSource db, Clock clock, TrustfleetConfig config, InvalidationFeed feed, PayloadBytes bytes,
            MeterRegistry metrics) {
        this.requirements = requirements;
        this.groups = groups;
        this.keys = keys;
        this.db = db;
        this.clock = clock;
        this.validity = config.payload().validity();
        this.checkInterval = config.payload().cacheCheckInterval();
        this.feed = feed;
        this.bytes = bytes;
        this.cache = Caches.bounded("signed-payloads", config.cache().signedPayloadsMaxEntries());
        this.bytesRead = metrics.counter("trustfleet.payload.bytes.read");
        this.storedBytes = new BatchedLoads<>("payload-bytes-reads", BYTES_BATCH, BYTES_QUEUE, this::readBytes,
                () -> TrustfleetException.unavailable("too many payloads are waiting to be read; retry later",
                        RETRY_AFTER));
        feed.subscribe(GROUP_PAYLOADS, new InvalidationFeed.Subscriber() {
            @Override
            public void invalidate(Set<String> groupIds) {
                for (String id : groupIds) {
                    loads.invalidated(UUID.fromString(id));
                    cache.invalidate(UUID.fromString(id));
                }
            }

            @Override
            public void invalidateAll() {
                loads.invalidatedAll();
                cache.invalidateAll();
            }
        });
        feed.subscribe(TENANT_SIGNERS, new InvalidationFeed.Subscriber() {
            @Override
            public void invalidate(Set<String> tenantIds) {
                loads.invalidatedAll();
                cache.invalidateIf(e -> tenantIds.contains(e.payload().tenantId().toString()));
            }

            @Override
            public void invalidateAll() {
                loads.invalidatedAll();
                cache.invalidateAll();
            }
        });
        if (validity.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalStateException("trustfleet.payload.validity must be at least one minute");
        }
    }

    /** The group's current signed payload; 404 when the group is not the tenant's. */
    public SignedPayload current(UUID tenantId, UUID groupId) {
        Instant now = clock.instant();
        SignedPayload hit = usable(cache.get(groupId), tenantId, now);
        if (hit != null) {
            return hit;
        }
        return loads.get(groupId, () -> usable(cache.get(groupId), tenantId, now),
                () -> QuarkusTransaction.joiningExisting().call(() -> load(tenantId, groupId, now)),
                loaded -> cache.put(groupId, new Entry(loaded, now)));
    }

    /**
     * The payload's CMS bytes if this replica holds them, retained for the caller (who releases them once written),
     * or null: {@link #bytes} then reads them. Never blocks; the hot path's question.
     */
    public ByteBuf heldBytes(SignedPayload payload) {
        return bytes.retained(payload.groupId(), payload.etag());
    }

    /**
     * The payload's CMS bytes, retained for the caller (who releases them once written): at once if this replica
     * holds them, otherwise once read from {@code signed_payload} with others' in one statement (and then held). The
     * future gives null when the group's stored payload is no longer this one (re-signed or replaced by another
     * replica since this one read it: {@link #forget} it and ask {@link #current} again), and fails with 503 when too
     * many fetches are waiting or the database does not answer. Never blocks.
     */
    public CompletableFuture<ByteBuf> bytes(SignedPayload payload) {
        ByteBuf held = bytes.retained(payload.groupId(), payload.etag());
        if (held != null) {
            return CompletableFuture.completedFuture(held);
        }
        return storedBytes.get(new StoredBytes(payload.groupId(), payload.etag()))
                .thenApply(cms -> cms == null ? null : bytes.keep(payload.groupId(), payload.etag(), cms));
    }

    /**
     * Drops what this replica holds of the group's payload, so that the next {@link #current} asks the database:
     * for a payload whose stored bytes {@link #bytes} found replaced.
     */
    public void forget(UUID groupId) {
        loads.invalidated(groupId);
        cache.invalidate(groupId);
    }

    /** Reads the stored bytes of a batch of payloads: those whose group's row still has the payload's ETag. */
    private Map<StoredBytes, byte[]> readBytes(Set<StoredBytes> wanted) {
        UUID[] groupIds = wanted.stream().map(StoredBytes::groupId).distinct().toArray(UUID[]::new);
        Map<StoredBytes, byte[]> found = new HashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT group_id, etag, cms FROM signed_payload WHERE group_id = ANY(?)")) {
            s.setArray(1, c.createArrayOf("uuid", groupIds));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    StoredBytes key = new StoredBytes(r.getObject(1, UUID.class), r.getString(2));
                    if (wanted.contains(key)) {
                        found.put(key, r.getBytes(3));
                    }
                }
            }
        } catch (SQLException e) {
            LOG.debugf("Reading the bytes of %d payloads failed: %s", wanted.size(), e.toString());
            throw TrustfleetException.unavailable("the payload could not be read from the database; retry later",
                    RETRY_AFTER);
        }
        bytesRead.increment(found.size());
        return found;
    }

    private SignedPayload usable(Entry e, UUID tenantId, Instant now) {
        if (e == null || !e.payload().tenantId().equals(tenantId) || !e.payload().freshAt(now)
                || !now.isBefore(e.checkedAt().plus(checkInterval)) || !feed.fresh()) {
            return null;
        }
        return e.payload();
    }

    /**
     * The payload to serve: the stored one when the database says it is current, otherwise one signed now from the
     * group's current requirements and the tenant's active signer.
     */
    private SignedPayload load(UUID tenantId, UUID groupId, Instant now) throws SQLException {
        try (Connection c = db.getConnection()) {
            Optional<SignedPayload> current = currentStored(c, tenantId, groupId, now);
            if (current.isPresent()) {
                return current.get();
            }
        }
        CertificateSet req = requirements.certificateSet(tenantId, groupId);
        ActiveSigner signer = keys.activeSigner(tenantId);
        // signed without reading the stored row first: the check above found it outdated, and a payload another
        // replica stored meanwhile is kept by the insert's condition and served below (a rare signature wasted)
        Signed signed = sign(tenantId, groupId, req, signer, now);
        SignedPayload fresh = signed.payload();
        try (Connection c = db.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO signed_payload
                        (group_id, tenant_id, version, signer_id, issued_at, expires_at, etag, cms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (group_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, version = EXCLUDED.version,
                        signer_id = EXCLUDED.signer_id, issued_at = EXCLUDED.issued_at,
                        expires_at = EXCLUDED.expires_at, etag = EXCLUDED.etag, cms = EXCLUDED.cms
                    WHERE signed_payload.version < EXCLUDED.version
                       OR (signed_payload.version = EXCLUDED.version
                           AND (signed_payload.signer_id <> EXCLUDED.signer_id
                                OR signed_payload.expires_at < CAST(? AS timestamptz)
                                   + (signed_payload.expires_at - signed_payload.issued_at) / 2))
                    RETURNING version""")) {
                s.setObject(1, groupId);
                s.setObject(2, tenantId);
                s.setLong(3, fresh.version());
                s.setObject(4, fresh.signerId());
                s.setTimestamp(5, Timestamp.from(fresh.issuedAt()));
                s.setTimestamp(6, Timestamp.from(fresh.expiresAt()));
                s.setString(7, fresh.etag());
                s.setBytes(8, signed.cms());
                s.setTimestamp(9, Timestamp.from(now));
                try (ResultSet stored = s.executeQuery()) {
                    if (stored.next()) {
                        // held for the 200s of its group's devices, which fetch it next
                        bytes.keep(groupId, fresh.etag(), signed.cms()).release();
                        return fresh;
                    }
                }
            }
            // another replica won (a later version, or this one signed by the same signer and fresher): serve what is
            // stored, so that all replicas agree on the bytes
            Optional<SignedPayload> stored = read(c, groupId).filter(p -> p.version() >= fresh.version());
            if (stored.isPresent()) {
                return stored.get();
            }
            bytes.keep(groupId, fresh.etag(), signed.cms()).release();
            return fresh;
        }
    }

    private Signed sign(UUID tenantId, UUID groupId, CertificateSet req, ActiveSigner signer, Instant now) {
        List<PayloadCertificate> entries = new ArrayList<>(req.certificates().size());
        for (CertificateSet.Member member : req.certificates()) {
            entries.add(PayloadCertificate.of(member.certificate(), member.role()));
        }
        // the endpoints are part of the requirements' version (RequirementsService counts them, with their protocol,
        // in the set key), so a payload of the same version lists the same endpoints. Agents speak TLS only: a mail
        // server behind STARTTLS is judged by the scanner alone (listed, every device would report it unreachable)
        List<PayloadEndpoint> endpoints = groups.endpointsOf(tenantId, groupId).stream()
                .filter(e -> e.startTlsProtocol() == StartTlsProtocol.TLS)
                .map(e -> new PayloadEndpoint(e.id(), e.host(), e.port(), e.serverName(), PayloadEndpoint.TLS))
                .toList();
        Instant issuedAt = now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        PayloadDocument doc = new PayloadDocument(tenantId, groupId, req.version(), issuedAt,
                issuedAt.plus(validity), entries, endpoints);
        byte[] cms = new CmsPayloadSigner(clock).sign(doc, signer.signer());
        LOG.debugf("Signed payload version %d of group %s", req.version(), groupId);
        return new Signed(new SignedPayload(tenantId, groupId, req.version(), signer.id(), doc.issuedAt(),
                doc.expiresAt(), Sha256.hex(cms), cms.length), cms);
    }

    /**
     * The group's stored payload if it is the one to serve at {@code now} (the group the tenant's, the payload of its
     * current requirements version, signed by the tenant's active signer, fresh), or empty: none stored, outdated, or
     * the group not the tenant's (the full load then answers, as it would without this). One statement on four primary
     * keys; neither the requirements document nor any certificate or key is read, nor the stored CMS bytes (only their
     * length: a 200 reads them by {@link #bytes} when this replica does not hold them).
     */
    private static Optional<SignedPayload> currentStored(Connection c, UUID tenantId, UUID groupId, Instant now)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                SELECT p.tenant_id, p.version, p.signer_id, p.issued_at, p.expires_at, p.etag, octet_length(p.cms)
                FROM signed_payload p
                JOIN device_group g ON g.id = p.group_id AND g.tenant_id = p.tenant_id
                JOIN group_requirements r ON r.group_id = p.group_id AND r.version = p.version
                JOIN payload_signer k ON k.id = p.signer_id AND k.tenant_id = p.tenant_id AND k.retired_at IS NULL
                WHERE p.group_id = ? AND p.tenant_id = ?""")) {
            s.setObject(1, groupId);
            s.setObject(2, tenantId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next() || !SignedPayload.freshAt(r.getTimestamp(4).toInstant(), r.getTimestamp(5).toInstant(),
                        now)) {
                    return Optional.empty();
                }
                return Optional.of(payloadOf(r, groupId));
            }
        }
    }

    private static Optional<SignedPayload> read(Connection c, UUID groupId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                SELECT tenant_id, version, signer_id, issued_at, expires_at, etag, octet_length(cms)
                FROM signed_payload WHERE group_id = ?""")) {
            s.setObject(1, groupId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                return Optional.of(payloadOf(r, groupId));
            }
        }
    }

    /**
     * The group's payload from a row whose seven columns are {@code signed_payload}'s tenant_id, version, signer_id,
     * issued_at, expires_at and etag, and the length of its CMS bytes.
     */
    private static SignedPayload payloadOf(ResultSet r, UUID groupId) throws SQLException {
        return new SignedPayload(r.getObject(1, UUID.class), groupId, r.getLong(2), r.getObject(3, UUID.class),
                r.getTimestamp(4).toInstant(), r.getTimestamp(5).toInstant(), r.getString(6), r.getInt(7));
    }

    /** In the recomputing transaction: every replica drops the groups' payloads once it commits. */
    void onRequirementsChanged(@Observes RequirementsChanged event) {
        feed.publishAll(GROUP_PAYLOADS, event.versions().stream().map(v -> v.groupId().toString()).toList());
    }

    /** In the rotating transaction: every replica drops the tenant's payloads once it commits. */
    void onSignerRotated(@Observes SignerRotated event) {
        feed.publish(TENANT_SIGNERS, event.tenantId().toString());
    }

    /** Reads what is queued, then refuses further reads (observed early, while the datasource is still open). */
    void stop(@Observes @Priority(1) ShutdownEvent event) {
        storedBytes.close();
    }
}
