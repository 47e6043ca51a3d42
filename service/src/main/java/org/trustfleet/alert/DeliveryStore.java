package org.trustfleet.alert;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.trustfleet.core.JsonColumns;
import org.trustfleet.core.NativeColumns;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.payload.KeyVault;
import org.trustfleet.payload.MasterKeyProvider;

/**
 * The delivery rows: claiming due ones (one replica at a time), recording each attempt's outcome with exponential
 * backoff and jitter, and the tenant's delivery log. Each method is its own short transaction; no transaction is
 * open while a receiver is being called.
 */
@ApplicationScoped
public class DeliveryStore {
    /** Page size when {@code limit} is absent. */
    public static final int DEFAULT_LIMIT = 100;
    /** Largest page. */
    public static final int MAX_LIMIT = 1000;

    private final EntityManager em;
    private final MasterKeyProvider masterKeys;
    private final JsonColumns json;
    private final Clock clock;
    private final TrustfleetConfig.Alerts settings;

    public DeliveryStore(EntityManager em, JsonColumns json, Clock clock, TrustfleetConfig config,
            MasterKeyProvider masterKeys) {
        this.em = em;
        this.json = json;
        this.clock = clock;
        this.settings = config.alerts();
        this.masterKeys = masterKeys;
    }

    /** A claimed delivery with what is needed to send it; {@code channel} is null when the channel was deleted. */
    record Claimed(UUID id, int attempts, Instant createdAt, AlertEvent event, Target channel) {}

    /** Where a delivery goes. */
    record Target(UUID id, ChannelKind kind, String target, String secret) {}

    /**
     * Claims up to {@code max} due deliveries: rows locked by another replica are skipped, and the claimed rows are
     * leased (their next attempt moved past the send timeout) before the lock is released, so no other replica
     * takes them while this one sends. A replica killed mid-send leaves the row to be retried when the lease ends.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    List<Claimed> claim(int max) {
        Instant now = clock.instant();
        // the batch is sent one after another, each within the send timeout: the lease covers them all, so no row
        // is taken by another replica while this one may still send it
        Instant leaseUntil = now.plus(settings.sendTimeout().multipliedBy(Math.max(1, max) + 2L)).plusSeconds(30);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                UPDATE alert_delivery d
                SET attempts = d.attempts + 1, last_attempt_at = ?1, next_attempt_at = ?2
                FROM alert_event e
                WHERE e.id = d.event_id AND d.seq IN (
                    SELECT seq FROM alert_delivery
                    WHERE status = 'PENDING' AND next_attempt_at <= ?1
                    ORDER BY next_attempt_at LIMIT ?3 FOR UPDATE SKIP LOCKED)
                RETURNING d.id, d.attempts, d.created_at, CAST(e.document AS text), d.channel_id""")
                .setParameter(1, Timestamp.from(now)).setParameter(2, Timestamp.from(leaseUntil))
                .setParameter(3, max).getResultList();
        if (rows.isEmpty()) {
            return List.of();
        }
        List<UUID> channelIds = rows.stream().map(r -> (UUID) r[4]).filter(java.util.Objects::nonNull).distinct()
                .toList();
        Map<UUID, Target> targets = new HashMap<>();
        if (!channelIds.isEmpty()) {
            @SuppressWarnings("unchecked")
            List<Object[]> channels = em.createNativeQuery(
                    "SELECT id, kind, target, secret FROM alert_channel WHERE id IN (?1)")
                    .setParameter(1, channelIds).getResultList();
            for (Object[] c : channels) {
                // the signing secret is sealed under the master key at rest (ChannelService.create)
                String secret = c[3] == null ? null
                        : new KeyVault(masterKeys.masterKey()).openSecret(c[0].toString(), (String) c[3]);
                targets.put((UUID) c[0], new Target((UUID) c[0], ChannelKind.valueOf((String) c[1]),
                        (String) c[2], secret));
            }
        }
        List<Claimed> claimed = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            claimed.add(new Claimed((UUID) r[0], ((Number) r[1]).intValue(), NativeColumns.instant(r[2]),
                    json.read((String) r[3], AlertEvent.class), r[4] == null ? null : targets.get((UUID) r[4])));
        }
        return claimed;
    }

    /** The receiver accepted the delivery. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    void delivered(Claimed claimed, int httpStatus) {
        em.createNativeQuery("""
                UPDATE alert_delivery SET status = 'DELIVERED', finished_at = ?1, last_http_status = ?2,
                    last_error = NULL
                WHERE id = ?3 AND status = 'PENDING' AND attempts = ?4""")
                .setParameter(1, Timestamp.from(clock.instant())).setParameter(2, httpStatus)
                .setParameter(3, claimed.id()).setParameter(4, claimed.attempts()).executeUpdate();
    }

    /**
     * The attempt failed: retry after an exponential delay with jitter, or mark FAILED when the next attempt would
     * come after the maximum age (or nothing can be retried: {@code permanent}).
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    void attemptFailed(Claimed claimed, Integer httpStatus, String error, boolean permanent) {
        Instant now = clock.instant();
        Instant next = now.plus(backoff(claimed.attempts()));
        boolean give = permanent || next.isAfter(claimed.createdAt().plus(settings.maxAge()));
        String detail = error == null ? null : error.substring(0, Math.min(1000, error.length()));
        em.createNativeQuery("""
                UPDATE alert_delivery SET status = ?1, next_attempt_at = ?2, finished_at = ?3,
                    last_http_status = ?4, last_error = ?5
                WHERE id = ?6 AND status = 'PENDING' AND attempts = ?7""")
                .setParameter(1, give ? "FAILED" : "PENDING").setParameter(2, Timestamp.from(give ? now : next))
                .setParameter(3, give ? Timestamp.from(now) : null).setParameter(4, httpStatus)
                .setParameter(5, detail).setParameter(6, claimed.id()).setParameter(7, claimed.attempts())
                .executeUpdate();
    }

    /**
     * The wait before the retry that follows attempt {@code attempts} (1 = first): the initial delay doubled per
     * attempt up to the maximum interval, then "equal jitter" (between half and all of it) so that receivers that
     * failed together are not retried together.
     */
    Duration backoff(int attempts) {
        return backoff(attempts, settings.retryInitial(), settings.retryMaxInterval(),
                ThreadLocalRandom.current().nextDouble());
    }

    static Duration backoff(int attempts, Duration initial, Duration max, double random) {
        long base = initial.toMillis();
        int shift = Math.min(Math.max(attempts - 1, 0), 30);
        long capped = Math.min(max.toMillis(), base > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : base << shift);
        long half = capped / 2;
        return Duration.ofMillis(half + (long) (random * (capped - half)));
    }

    /** The tenant's deliveries, newest first; {@code after} is the {@code seq} of the last one of the previous page. */
    @Transactional
    public List<AlertDelivery> list(UUID tenantId, Integer limit, Long after) {
        int n = limit == null ? DEFAULT_LIMIT : limit;
        if (n < 1 || n > MAX_LIMIT) {
            throw TrustfleetException.validation("'limit' must be between 1 and " + MAX_LIMIT);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT d.seq, d.id, d.event_id, e.type, e.document ->> 'summary', d.channel_id, d.channel_name,
                       d.status, d.attempts, d.created_at, d.last_attempt_at, d.next_attempt_at, d.finished_at,
                       d.last_http_status, d.last_error
                FROM alert_delivery d JOIN alert_event e ON e.id = d.event_id
                WHERE d.tenant_id = ?1 AND d.seq < ?2
                ORDER BY d.seq DESC LIMIT ?3""")
                .setParameter(1, tenantId).setParameter(2, after == null ? Long.MAX_VALUE : after)
                .setParameter(3, n).getResultList();
        List<AlertDelivery> page = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            DeliveryStatus status = DeliveryStatus.valueOf((String) r[7]);
            page.add(new AlertDelivery(((Number) r[0]).longValue(), (UUID) r[1], (UUID) r[2],
                    AlertEventType.valueOf((String) r[3]), (String) r[4], (UUID) r[5], (String) r[6], status,
                    ((Number) r[8]).intValue(), NativeColumns.instant(r[9]), NativeColumns.instant(r[10]),
                    status == DeliveryStatus.PENDING ? NativeColumns.instant(r[11]) : null,
                    NativeColumns.instant(r[12]),
                    r[13] == null ? null : ((Number) r[13]).intValue(), (String) r[14]));
        }
        return page;
    }

    /** Deliveries per tenant and status (PENDING and FAILED), for the metrics. */
    @Transactional
    public List<Object[]> countsByTenantAndStatus() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT tenant_id, status, count(*) FROM alert_delivery
                WHERE status IN ('PENDING', 'FAILED') GROUP BY tenant_id, status""").getResultList();
        return rows;
    }
}
