package org.trustfleet.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TenantBatchesTest {
    private static final int THREADS = 2;
    /** Only for a run that went wrong: every wait below ends at once when the code is right. */
    private static final long PATIENCE_SECONDS = 60;

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    private final ExecutorService caller = Executors.newSingleThreadExecutor();

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
        caller.shutdownNow();
    }

    @Test
    void aSlowTenantHoldsOneThreadWhileTheOthersWorkThroughTheRestOfTheQueue() throws Exception {
        UUID slow = UUID.randomUUID();
        List<UUID> others = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        // the slow tenant comes in the first claim; the others partly there, partly in claims made after it
        Claims claims = new Claims(List.of(tenants(slow, others.get(0)), tenants(others.get(1)),
                tenants(others.get(2), others.get(3))));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch othersDone = new CountDownLatch(others.size());
        // batches of one group: each tenant (of one group here) is a batch of its own
        Future<Integer> run = caller.submit(() -> TenantBatches.run(pool, THREADS, 1, claims, batch -> {
            if (batch.containsKey(slow)) {
                await(release);
            } else {
                othersDone.countDown();
            }
            return groups(batch);
        }));

        assertThat(othersDone.await(PATIENCE_SECONDS, TimeUnit.SECONDS))
                .as("every other tenant computed while the slow one still runs").isTrue();
        assertThat(run.isDone()).isFalse();
        release.countDown();
        assertThat(run.get(PATIENCE_SECONDS, TimeUnit.SECONDS)).isEqualTo(5);
        assertThat(claims.made()).as("three claims with groups, then one that found none").isEqualTo(4);
    }

    @Test
    void everyClaimedTenantIsWorkedOnceOnAtMostTheGivenThreads() throws Exception {
        List<Map<UUID, List<UUID>>> batches = new ArrayList<>();
        int groups = 0;
        for (int claim = 0; claim < 20; claim++) {
            Map<UUID, List<UUID>> batch = new LinkedHashMap<>();
            for (int tenant = 0; tenant <= claim % 7; tenant++) {
                List<UUID> ids = new ArrayList<>();
                for (int group = 0; group <= tenant % 3; group++) {
                    ids.add(UUID.randomUUID());
                    groups++;
                }
                batch.put(UUID.randomUUID(), ids);
            }
            batches.add(batch);
        }
        Map<UUID, Integer> worked = new ConcurrentHashMap<>();
        Map<UUID, List<UUID>> groupsWorked = new ConcurrentHashMap<>();
        AtomicInteger atOnce = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        AtomicInteger largestBatch = new AtomicInteger();
        int computed = TenantBatches.run(pool, THREADS, 4, new Claims(batches), batch -> {
            mostAtOnce.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
            largestBatch.accumulateAndGet(groups(batch), Math::max);
            batch.forEach((tenant, ids) -> {
                worked.merge(tenant, 1, Integer::sum);
                groupsWorked.put(tenant, ids);
            });
            Thread.yield();
            atOnce.decrementAndGet();
            return groups(batch);
        });

        assertThat(computed).isEqualTo(groups);
        Map<UUID, List<UUID>> claimed = new java.util.HashMap<>();
        batches.forEach(claimed::putAll);
        assertThat(groupsWorked).as("each tenant with all its claimed groups").isEqualTo(claimed);
        assertThat(worked.values()).containsOnly(1);
        assertThat(mostAtOnce.get()).isLessThanOrEqualTo(THREADS);
        assertThat(largestBatch.get()).as("tenants of at most 3 groups, batches of at most 4").isLessThanOrEqualTo(4);
    }

    @Test
    void aTenantThatFailsIsNotCountedAndDoesNotStopTheOthers() throws Exception {
        UUID failing = UUID.randomUUID();
        UUID fine = UUID.randomUUID();
        UUID later = UUID.randomUUID();
        Set<UUID> worked = ConcurrentHashMap.newKeySet();
        int computed = TenantBatches.run(pool, THREADS, 1,
                new Claims(List.of(tenants(failing, fine), tenants(later))), batch -> {
                    if (batch.containsKey(failing)) {
                        throw new IllegalStateException("a failure the sweep's own fallback did not absorb");
                    }
                    worked.addAll(batch.keySet());
                    return groups(batch);
                });

        assertThat(computed).isEqualTo(2);
        assertThat(worked).containsExactlyInAnyOrder(fine, later);
    }

    @Test
    void smallTenantsGoTogetherUpToTheLimitInTheClaimsOrderAndALargerTenantAlone() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID big = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        UUID d = UUID.randomUUID();
        Map<UUID, List<UUID>> claim = new LinkedHashMap<>();
        claim.put(a, groupIds(2));
        claim.put(b, groupIds(2));
        claim.put(big, groupIds(5));
        claim.put(c, groupIds(3));
        claim.put(d, groupIds(1));

        List<Map<UUID, List<UUID>>> batches = TenantBatches.batches(claim, 4);

        assertThat(batches).extracting(batch -> List.copyOf(batch.keySet()))
                .containsExactly(List.of(a, b), List.of(big), List.of(c, d));
        batches.forEach(batch -> batch.forEach((tenant, ids) -> assertThat(ids).isSameAs(claim.get(tenant))));
        assertThat(TenantBatches.batches(Map.of(), 4)).isEmpty();
    }

    private static int groups(Map<UUID, List<UUID>> batch) {
        return batch.values().stream().mapToInt(List::size).sum();
    }

    private static List<UUID> groupIds(int n) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(UUID.randomUUID());
        }
        return ids;
    }

    /** One group per tenant, in the order given. */
    /** One case of the release rule: groups per tenant in the claim's order, the claim's limit, what is released. */
    private record ReleaseCase(String name, List<Integer> groupsPerTenant, int limit, boolean lastReleased) {}

    @Test
    void aFullClaimGivesBackItsLastTenantUnlessThatTenantIsAllItHolds() {
        List<ReleaseCase> cases = List.of(
                new ReleaseCase("full, several tenants: the last may be cut", List.of(3, 4, 1), 8, true),
                new ReleaseCase("full, two tenants", List.of(5, 3), 8, true),
                new ReleaseCase("not full: the queue had no more, every tenant whole", List.of(3, 4), 8, false),
                new ReleaseCase("full with one tenant larger than the claim: kept", List.of(8), 8, false),
                new ReleaseCase("empty claim", List.of(), 8, false));
        for (ReleaseCase c : cases) {
            LinkedHashMap<UUID, List<UUID>> claimed = new LinkedHashMap<>();
            for (int groups : c.groupsPerTenant()) {
                List<UUID> ids = new ArrayList<>();
                for (int i = 0; i < groups; i++) {
                    ids.add(UUID.randomUUID());
                }
                claimed.put(UUID.randomUUID(), ids);
            }
            Map<UUID, List<UUID>> before = new LinkedHashMap<>(claimed);
            UUID last = before.keySet().stream().reduce((a, b) -> b).orElse(null);

            List<UUID> released = TenantBatches.releaseLastTenantOfFullClaim(claimed, c.limit());

            if (c.lastReleased()) {
                assertThat(released).as(c.name()).containsExactlyElementsOf(before.get(last));
                before.remove(last);
            } else {
                assertThat(released).as(c.name()).isEmpty();
            }
            assertThat(claimed).as(c.name() + ": what the claim keeps, in its order")
                    .containsExactlyEntriesOf(before);
        }
    }

    private static Map<UUID, List<UUID>> tenants(UUID... ids) {
        Map<UUID, List<UUID>> batch = new LinkedHashMap<>();
        for (UUID id : ids) {
            batch.put(id, List.of(UUID.randomUUID()));
        }
        return batch;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(PATIENCE_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Hands out the given claims in turn, then empty ones, counting how many were made. */
    private static final class Claims implements TenantBatches.Claim {
        private final Deque<Map<UUID, List<UUID>>> left;
        private final AtomicInteger made = new AtomicInteger();

        Claims(List<Map<UUID, List<UUID>>> claims) {
            this.left = new ArrayDeque<>(claims);
        }

        @Override
        public synchronized Map<UUID, List<UUID>> next() {
            made.incrementAndGet();
            Map<UUID, List<UUID>> next = left.poll();
            return next == null ? Map.of() : next;
        }

        int made() {
            return made.get();
        }
    }
}
