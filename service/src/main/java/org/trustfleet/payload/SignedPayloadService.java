package org.trustfleet.payload;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
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
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.trustfleet.cache.BoundedCache;
import org.trustfleet.cache.Caches;
import org.trustfleet.cache.InvalidationFeed;
import org.trustfleet.cache.KeyedLoads;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.pki.Sha256;
import org.trustfleet.policy.CertificateSet;
import org.trustfleet.policy.DeviceGroupService;
import org.trustfleet.policy.RequirementsChanged;
import org.trustfleet.policy.RequirementsService;
import org.trustfleet.scan.StartTlsProtocol;

/**
 * Produces and caches each group's signed payload. The CMS bytes are made once per (group, requirements version,
 * signer, issuance), stored in {@code signed_payload} so that every replica serves the same bytes and ETag, and
 * kept in memory for the hot path. A payload is re-signed (same version, later issuedAt and expiresAt) only when
 * less than half of its validity is left; agents accept such a refresh.
 *
 * <p>Staleness: a group's entry is dropped when its requirements change or its tenant's signer rotates, through the
 * {@link InvalidationFeed} (at once on the replica that made the change, within one poll elsewhere), and entries are
 * used only while the feed is {@link InvalidationFeed#fresh() fresh}: a replica that cannot poll does not know what
 * changed, so each load checks. As a backstop for changes no feed row tells of (made around the service), entries
 * are re-checked against the database every {@code trustfleet.payload.cache-check-interval}. A re-check, and any
 * load that finds the stored payload current (made by another replica, or before a restart), costs one statement
 * comparing the stored payload's version and signer with the group's and the tenant's, which returns the stored bytes
 * only where they are not the replica's copy (one round trip for a replica that holds none, as for most groups at a
 * fleet's scale with the packaged cache size): the requirements' certificates are read and the signer unsealed only
 * to sign. At a fleet's pace a group is fetched less often than the interval, so most fetches re-check (measured at
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

    private final RequirementsService requirements;
    private final DeviceGroupService groups;
    private final SigningKeyService keys;
    private final AgroalDataSource db;
    private final Clock clock;
    private final Duration validity;
    private final Duration checkInterval;
    private final InvalidationFeed feed;
    private final BoundedCache<UUID, Entry> cache;
    /** One load per group and replica, kept unless the group (or every group of a tenant) changed meanwhile. */
    private final KeyedLoads<UUID> loads = new KeyedLoads<>();

    private record Entry(SignedPayload payload, Instant checkedAt) {}

    public SignedPayloadService(RequirementsService requirements, DeviceGroupService groups, SigningKeyService keys,
            AgroalDataSource db, Clock clock, TrustfleetConfig config, InvalidationFeed feed) {
        this.requirements = requirements;
        this.groups = groups;
        this.keys = keys;
        this.db = db;
        this.clock = clock;
        this.validity = config.payload().validity();
        this.checkInterval = config.payload().cacheCheckInterval();
        this.feed = feed;
        this.cache = Caches.bounded("signed-payloads", config.cache().signedPayloadsMaxEntries());
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
                () -> QuarkusTransaction.joiningExisting().call(
                        () -> load(tenantId, groupId, now, known(cache.get(groupId), tenantId))),
                loaded -> cache.put(groupId, new Entry(loaded, now)));
    }

    /** The tenant's payload this replica holds for the group, however old: a re-check may confirm it. */
    private static SignedPayload known(Entry e, UUID tenantId) {
        return e == null || !e.payload().tenantId().equals(tenantId) ? null : e.payload();
    }

    private SignedPayload usable(Entry e, UUID tenantId, Instant now) {
        if (e == null || !e.payload().tenantId().equals(tenantId) || !e.payload().freshAt(now)
                || !now.isBefore(e.checkedAt().plus(checkInterval)) || !feed.fresh()) {
            return null;
        }
        return e.payload();
    }

    /**
     * The payload to serve: {@code known} (what this replica holds) or the stored one when the database says it is
     * current, otherwise one signed now from the group's current requirements and the tenant's active signer.
     */
    private SignedPayload load(UUID tenantId, UUID groupId, Instant now, SignedPayload known) throws SQLException {
        try (Connection c = db.getConnection()) {
            Optional<SignedPayload> current = currentStored(c, tenantId, groupId, now, known);
            if (current.isPresent()) {
                return current.get();
            }
        }
        CertificateSet req = requirements.certificateSet(tenantId, groupId);
        ActiveSigner signer = keys.activeSigner(tenantId);
        // signed without reading the stored row first: the check above found it outdated, and a payload another
        // replica stored meanwhile is kept by the insert's condition and served below (a rare signature wasted)
        SignedPayload fresh = sign(tenantId, groupId, req, signer, now);
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
                s.setBytes(8, fresh.cmsBytes());
                s.setTimestamp(9, Timestamp.from(now));
                try (ResultSet stored = s.executeQuery()) {
                    if (stored.next()) {
                        return fresh;
                    }
                }
            }
            // another replica won (a later version, or this one signed by the same signer and fresher): serve what is
            // stored, so that all replicas agree on the bytes
            return read(c, groupId).filter(p -> p.version() >= fresh.version()).orElse(fresh);
        }
    }

    private SignedPayload sign(UUID tenantId, UUID groupId, CertificateSet req, ActiveSigner signer,
            Instant now) {
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
        return new SignedPayload(tenantId, groupId, req.version(), signer.id(), doc.issuedAt(), doc.expiresAt(),
                Sha256.hex(cms), cms);
    }

    /**
     * The group's stored payload if it is the one to serve at {@code now} (the group the tenant's, the payload of its
     * current requirements version, signed by the tenant's active signer, fresh), or empty: none stored, outdated, or
     * the group not the tenant's (the full load then answers, as it would without this). One statement on four primary
     * keys; neither the requirements document nor any certificate or key is read, and the stored CMS bytes only when
     * they are not {@code known}'s (what this replica holds, then returned as it is).
     */
    private static Optional<SignedPayload> currentStored(Connection c, UUID tenantId, UUID groupId, Instant now,
            SignedPayload known) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                SELECT p.tenant_id, p.version, p.signer_id, p.issued_at, p.expires_at, p.etag,
                       CASE WHEN p.etag = ? THEN NULL ELSE p.cms END
                FROM signed_payload p
                JOIN device_group g ON g.id = p.group_id AND g.tenant_id = p.tenant_id
                JOIN group_requirements r ON r.group_id = p.group_id AND r.version = p.version
                JOIN payload_signer k ON k.id = p.signer_id AND k.tenant_id = p.tenant_id AND k.retired_at IS NULL
                WHERE p.group_id = ? AND p.tenant_id = ?""")) {
            s.setString(1, known == null ? null : known.etag());
            s.setObject(2, groupId);
            s.setObject(3, tenantId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next() || !SignedPayload.freshAt(r.getTimestamp(4).toInstant(), r.getTimestamp(5).toInstant(),
                        now)) {
                    return Optional.empty();
                }
                byte[] cms = r.getBytes(7);
                return Optional.of(cms == null ? known : payloadOf(r, groupId, cms));
            }
        }
    }

    private static Optional<SignedPayload> read(Connection c, UUID groupId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                SELECT tenant_id, version, signer_id, issued_at, expires_at, etag, cms
                FROM signed_payload WHERE group_id = ?""")) {
            s.setObject(1, groupId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                return Optional.of(payloadOf(r, groupId, r.getBytes(7)));
            }
        }
    }

    /**
     * The group's payload from a row whose first six columns are {@code signed_payload}'s tenant_id, version,
     * signer_id, issued_at, expires_at and etag, with its CMS bytes.
     */
    private static SignedPayload payloadOf(ResultSet r, UUID groupId, byte[] cms) throws SQLException {
        return new SignedPayload(r.getObject(1, UUID.class), groupId, r.getLong(2), r.getObject(3, UUID.class),
                r.getTimestamp(4).toInstant(), r.getTimestamp(5).toInstant(), r.getString(6), cms);
    }

    /** In the recomputing transaction: every replica drops the groups' payloads once it commits. */
    void onRequirementsChanged(@Observes RequirementsChanged event) {
        feed.publishAll(GROUP_PAYLOADS, event.versions().stream().map(v -> v.groupId().toString()).toList());
    }

    /** In the rotating transaction: every replica drops the tenant's payloads once it commits. */
    void onSignerRotated(@Observes SignerRotated event) {
        feed.publish(TENANT_SIGNERS, event.tenantId().toString());
    }
}
