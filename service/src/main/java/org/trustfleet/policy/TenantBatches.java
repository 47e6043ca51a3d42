package org.trustfleet.policy;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.ToIntBiFunction;
import org.jboss.logging.Logger;

/**
 * Works claimed groups tenant by tenant on a fixed number of threads, and claims more as soon as a thread is free
 * and nothing claimed is left, so that a tenant whose recompute is slow (a thousand endpoints, a row another
 * transaction holds) occupies one thread while the others go on with the rest of the queue. Waiting for a whole
 * claim to finish before claiming the next left every other thread idle behind the slowest tenant of each claim.
 */
final class TenantBatches {
    private static final Logger LOG = Logger.getLogger(TenantBatches.class);

    /** Claims pending groups by tenant: empty when none is left to claim. */
    interface Claim {
        Map<UUID, List<UUID>> next() throws SQLException;
    }

    private TenantBatches() {}

    /**
     * Claims and recomputes until a claim comes back empty and every tenant handed out is done.
     *
     * @param pool      where the tenants run; it must have {@code threads} threads besides the caller's
     * @param recompute one tenant's claimed groups: how many of them it computed
     * @return how many groups were computed
     */
    static int run(ExecutorService pool, int threads, Claim claim, ToIntBiFunction<UUID, List<UUID>> recompute)
            throws SQLException, InterruptedException {
        CompletionService<Integer> done = new ExecutorCompletionService<>(pool);
        Deque<Map.Entry<UUID, List<UUID>>> claimed = new ArrayDeque<>();
        int running = 0;
        int computed = 0;
        boolean more = true;
        while (true) {
            if (more && claimed.isEmpty() && running < threads) {
                Map<UUID, List<UUID>> next = claim.next();
                more = !next.isEmpty();
                claimed.addAll(next.entrySet());
            }
            while (running < threads && !claimed.isEmpty()) {
                Map.Entry<UUID, List<UUID>> tenant = claimed.poll();
                done.submit(() -> recompute.applyAsInt(tenant.getKey(), tenant.getValue()));
                running++;
            }
            if (running == 0) {
                return computed; // nothing running, nothing claimed, and the last claim was empty
            }
            computed += computed(done.take());
            running--;
        }
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
