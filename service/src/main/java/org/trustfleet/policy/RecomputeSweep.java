package org.trustfleet.policy;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.truststore.SignatureVerdictCache;

/**
 * Recomputes the groups a platform store change left pending, in the background and in parallel, so that the change
 * of one store reaches the groups of every tenant without the request that made it waiting for all of them, and
 * without losing any if a replica stops mid-way.
 *
 * <p>The store change marks every group in its own transaction ({@link #requestAll}); each replica then claims
 * pending groups in batches with a lease ({@code FOR UPDATE SKIP LOCKED}, so replicas share the work instead of
 * repeating it) and recomputes them on {@code trustfleet.recompute.threads} threads, a tenant's claimed groups
 * together in one transaction (they share the tenant's endpoints, scans and anchors), and small tenants' groups
 * several tenants to a transaction ({@link TenantBatches}). Devices keep receiving the
 * previous version of a group until its new one is committed. A group whose recompute fails stays pending and is
 * tried again when its lease has run out. Before its first batch, a sweep reads the certificate signature verdicts
 * written since its replica last read them ({@link SignatureVerdictCache#refresh}): the endpoints' chains are about
 * to be judged again, and another replica or a scan may have checked their leaves.
 */
@Singleton
public class RecomputeSweep {
    private static final Logger LOG = Logger.getLogger(RecomputeSweep.class);
    /** How long a claimed group is left to the replica that claimed it (a recompute takes milliseconds). */
    static final String LEASE = "2 minutes";
    /**
     * Groups claimed per worker thread at a time (enough that a claim's round trip is shared by many groups), and the
     * most a batch of several tenants computes in one transaction: a claim gives each thread about one batch.
     */
    static final int CLAIM_PER_THREAD = 64;

    private final AgroalDataSource db;
    private final RequirementsService requirements;
    private final SignatureVerdictCache signatureVerdicts;
    private final ExecutorService workers;
    private final int threads;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean wanted = new AtomicBoolean();

    public RecomputeSweep(AgroalDataSource db, RequirementsService requirements,
            SignatureVerdictCache signatureVerdicts, TrustfleetConfig config) {
        this.db = db;
        this.requirements = requirements;
        this.signatureVerdicts = signatureVerdicts;
        int configured = config.recompute().threads();
        if (configured < 0) {
            throw new IllegalArgumentException("trustfleet.recompute.threads must be 0 (the core count) or more");
        }
        this.threads = configured == 0 ? Runtime.getRuntime().availableProcessors() : configured;
        AtomicInteger n = new AtomicInteger();
        // platform threads: the work is CPU-bound, and one more than the workers drives the batches
        this.workers = Executors.newFixedThreadPool(threads + 1, r -> {
            Thread t = new Thread(r, "recompute-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Marks every group pending, in the caller's transaction: the mark commits with the change that made it (a
     * platform store) or not at all.
     */
    public void requestAll() {
        // rows locked in (tenant, group) order, the order a batch locks them in (recomputeTenants): an
        // unordered UPDATE of every row deadlocked with a batch holding two of them
        GroupRequirementsEntity.getEntityManager().createNativeQuery("""
                UPDATE group_requirements SET recompute_wanted = recompute_wanted + 1
                WHERE group_id IN (SELECT group_id FROM group_requirements ORDER BY tenant_id, group_id FOR UPDATE)""")
                .executeUpdate();
    }

    /** Starts working the pending groups now (after a change committed on this replica); returns at once. */
    public void wake() {
        wanted.set(true);
        if (draining.compareAndSet(false, true)) {
            workers.submit(this::drain);
        }
    }

    @Scheduled(identity = "recompute-sweep", every = "${trustfleet.recompute.poll-interval}",
            executeWith = Scheduled.SIMPLE, concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        wake(); // pending groups this replica was not told about: another replica's change, or one that stopped
    }

    void stop(@Observes ShutdownEvent event) {
        workers.shutdownNow();
    }

    private void drain() {
        long started = System.nanoTime();
        int computed = 0;
        try {
            boolean[] verdictsRead = {false};
            while (wanted.getAndSet(false)) {
                computed += TenantBatches.run(workers, threads, CLAIM_PER_THREAD, () -> {
                    Map<UUID, List<UUID>> claimed = claim(threads * CLAIM_PER_THREAD);
                    if (!claimed.isEmpty() && !verdictsRead[0]) {
                        // the leaf signature verdicts other replicas and scans wrote since this replica last read
                        // them: the endpoints' chains are about to be judged again
                        verdictsRead[0] = true;
                        signatureVerdicts.refresh();
                    }
                    return claimed;
                }, this::recomputeBatch);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("Recomputing pending groups failed (tried again within trustfleet.recompute.poll-interval): %s",
                    e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            draining.set(false);
            if (computed > 0) {
                LOG.infof("Recomputed %d pending groups in %.1f s", computed, (System.nanoTime() - started) / 1e9);
            }
            if (wanted.get()) {
                wake(); // woken after the last look at the queue, before the flag was down
            }
        }
    }

    /**
     * A batch of tenants' claimed groups, together (one transaction, each input read once for the batch), on a worker
     * thread; if it fails, each tenant alone, then each group alone, so that one failing group does not hold back
     * the others.
     */
    private int recomputeBatch(Map<UUID, List<UUID>> groupsByTenant) {
        try {
            return requirements.recomputeTenants(groupsByTenant);
        } catch (RuntimeException e) {
            if (groupsByTenant.size() == 1) {
                return oneByOne(groupsByTenant.values().iterator().next());
            }
            int done = 0;
            for (Map.Entry<UUID, List<UUID>> tenant : groupsByTenant.entrySet()) {
                done += recomputeBatch(Map.of(tenant.getKey(), tenant.getValue()));
            }
            return done;
        }
    }

    private int oneByOne(List<UUID> groupIds) {
        int done = 0;
        for (UUID groupId : groupIds) {
            try {
                requirements.recompute(groupId);
                done++;
            } catch (RuntimeException e) {
                // stays pending; its lease runs out and a sweep tries again
                LOG.errorf(e, "Recomputing requirements of group %s failed", groupId);
            }
        }
        return done;
    }

    /**
     * Claims up to {@code limit} pending groups no other replica holds, for {@link #LEASE}, by tenant (the order
     * of the pending index), whole tenants only unless one tenant fills the claim alone: a tenant's groups are
     * computed together, in one batch, from one analysis of each of its endpoints.
     */
    private Map<UUID, List<UUID>> claim(int limit) throws SQLException {
        LinkedHashMap<UUID, List<UUID>> claimed = new LinkedHashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                UPDATE group_requirements SET recompute_lease_until = now() + interval '%s'
                WHERE group_id IN (
                    SELECT group_id FROM group_requirements
                    WHERE recompute_wanted > recompute_done
                      AND (recompute_lease_until IS NULL OR recompute_lease_until < now())
                    ORDER BY tenant_id LIMIT ? FOR UPDATE SKIP LOCKED)
                RETURNING tenant_id, group_id""".formatted(LEASE))) {
            c.setAutoCommit(true);
            s.setInt(1, limit);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    claimed.computeIfAbsent(r.getObject(1, UUID.class), t -> new ArrayList<>())
                            .add(r.getObject(2, UUID.class));
                }
            }
            List<UUID> released = TenantBatches.releaseLastTenantOfFullClaim(claimed, limit);
            if (!released.isEmpty()) {
                try (PreparedStatement release = c.prepareStatement(
                        "UPDATE group_requirements SET recompute_lease_until = NULL WHERE group_id = ANY(?)")) {
                    release.setArray(1, c.createArrayOf("uuid", released.toArray()));
                    release.executeUpdate();
                }
            }
        }
        return claimed;
    }
}
