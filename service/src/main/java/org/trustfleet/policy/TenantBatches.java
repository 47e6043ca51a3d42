package org.trustfleet.policy;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.UUID;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.ToIntFunction;
import org.jboss.logging.Logger;

/**
 * Works claimed groups in batches of whole tenants on a fixed number of threads, and claims more as soon as a thread
 * is free and nothing claimed is left, so that a batch whose recompute is slow (a tenant with a thousand endpoints, a
 * row another transaction holds) occupies one thread while the others go on with the rest of the queue. Waiting for a
 * whole claim to finish before claiming the next left every other thread idle behind the slowest tenant of each
 * claim. Small tenants go together, up to a number of groups, so that a fleet of tenants with a few groups each is
 * not one transaction (a commit, and a statement per input) per tenant.
 */
final class TenantBatches {
    private static final Logger LOG = Logger.getLogger(TenantBatches.class);

    /** Claims pending groups by tenant: empty when none is left to claim. */
    interface Claim {
        Map<UUID, List<UUID>> next() throws SQLException;
    }

    private TenantBatches() {}

    /**
     * Claims and recomputes until a claim comes back empty and every batch handed out is done.
     *
     * @param pool            where the batches run; it must have {@code threads} threads besides the caller's
     * @param groupsPerBatch  how many groups a batch of several tenants holds at most (a larger tenant goes alone)
     * @param recompute       one batch's claimed groups by tenant: how many of them it computed
     * @return how many groups were computed
     */
    static int run(ExecutorService pool, int threads, int groupsPerBatch, Claim claim,
            ToIntFunction<Map<UUID, List<UUID>>> recompute) throws SQLException, InterruptedException {
        CompletionService<Integer> done = new ExecutorCompletionService<>(pool);
        Deque<Map<UUID, List<UUID>>> claimed = new ArrayDeque<>();
        int running = 0;
        int computed = 0;
        boolean more = true;
        while (true) {
            if (more && claimed.isEmpty() && running < threads) {
                Map<UUID, List<UUID>> next = claim.next();
                more = !next.isEmpty();
                claimed.addAll(batches(next, groupsPerBatch));
            }
            while (running < threads && !claimed.isEmpty()) {
                Map<UUID, List<UUID>> batch = claimed.poll();
                done.submit(() -> recompute.applyAsInt(batch));
                running++;
            }
            if (running == 0) {
                return computed; // nothing running, nothing claimed, and the last claim was empty
            }
            computed += computed(done.take());
            running--;
        }
    }

    /**
     * The claim's tenants in its order, each whole, as many together as fit in {@code groupsPerBatch} groups; a
     * tenant with more groups than that is a batch of its own.
     */
    static List<Map<UUID, List<UUID>>> batches(Map<UUID, List<UUID>> claimed, int groupsPerBatch) {
        List<Map<UUID, List<UUID>>> out = new ArrayList<>();
        Map<UUID, List<UUID>> batch = new LinkedHashMap<>();
        int groups = 0;
        for (Map.Entry<UUID, List<UUID>> tenant : claimed.entrySet()) {
            if (!batch.isEmpty() && groups + tenant.getValue().size() > groupsPerBatch) {
                out.add(batch);
                batch = new LinkedHashMap<>();
                groups = 0;
            }
            batch.put(tenant.getKey(), tenant.getValue());
            groups += tenant.getValue().size();
        }
        if (!batch.isEmpty()) {
            out.add(batch);
        }
        return out;
    }

    /**
     * The groups of the claim's last tenant, removed from {@code claimed}, when the claim is full and holds other
     * tenants: the claim's limit may have cut that tenant, and a tenant cut in two is analysed twice (its batches
     * share no analysis). The caller gives them back to the queue, where the next claim begins with them. A claim
     * that is not full, or holds one tenant only, is kept whole; nothing is released then.
     *
     * @param claimed the claim by tenant, in the claim's order
     * @param limit   the most groups the claim could hold
     */
    static List<UUID> releaseLastTenantOfFullClaim(SequencedMap<UUID, List<UUID>> claimed, int limit) {
        int groups = claimed.values().stream().mapToInt(List::size).sum();
        if (groups < limit || claimed.size() < 2) {
            return List.of();
        }
        return List.copyOf(claimed.pollLastEntry().getValue());
    }

    private static int computed(Future<Integer> finished) throws InterruptedException {
        try {
            return finished.get();
        } catch (ExecutionException e) {
            LOG.errorf(e.getCause(), "Recomputing pending groups failed");
            return 0;
        }
    }
}
