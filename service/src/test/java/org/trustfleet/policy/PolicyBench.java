package org.trustfleet.policy;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.trustfleet.pki.ServerChainOptions;
import org.trustfleet.pki.StoreIndex;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;

/**
 * Benchmark of the policy engine on a synthetic tenant: 27 Android stores built from a shared pool of 150 roots,
 * 100 endpoints (complete chains, missing intermediates, private roots, new roots, unfixable ones), 1,000 groups with
 * random API ranges and endpoint subsets. Measures the full recompute (analyse every endpoint once, cover every
 * group) and the incremental one after one endpoint's chain changes (re-analyse it, re-cover only its groups), and
 * the server fixes a recompute lists beside the requirements: every chain the server of each endpoint that some level
 * rejects could send, assessed once per endpoint, and the best of them chosen for each group's levels (as
 * {@code RequirementsService} does for every group and covered endpoint).
 *
 * <pre>mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.trustfleet.policy.PolicyBench</pre>
 *
 * Optional arguments: repetitions (default 20), warm-up rounds (default 5).
 */
public final class PolicyBench {

    static final int ROOTS = 150;
    static final int ENDPOINTS = 100;
    static final int GROUPS = 1000;
    static final int FIRST_LEVEL = 10;
    static final int LAST_LEVEL = 36; // 27 levels

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Random rnd = new Random(42);
        Instant now = Instant.now();
        PolicyEngine engine = PolicyEngine.create();

        // --- stores from a shared pool of roots
        List<Cert> roots = new ArrayList<>();
        int[] from = new int[ROOTS];
        Map<Integer, List<X509Certificate>> byLevel = new TreeMap<>();
        for (int l = FIRST_LEVEL; l <= LAST_LEVEL; l++) {
            byLevel.put(l, new ArrayList<>());
        }
        for (int i = 0; i < ROOTS; i++) {
            Cert root = TestPki.root("Pool Root " + i);
            roots.add(root);
            from[i] = rnd.nextInt(3) == 0 ? FIRST_LEVEL + rnd.nextInt(27) : FIRST_LEVEL;
            int to = rnd.nextInt(10) == 0 ? from[i] + rnd.nextInt(LAST_LEVEL - from[i] + 1) : LAST_LEVEL;
            for (int l = from[i]; l <= to; l++) {
                byLevel.get(l).add(root.cert());
            }
        }
        List<Integer> oldRoots = new ArrayList<>();
        List<Integer> newRoots = new ArrayList<>();
        for (int i = 0; i < ROOTS; i++) {
            (from[i] == FIRST_LEVEL ? oldRoots : newRoots).add(i);
        }
        long t0 = System.nanoTime();
        StoreIndex stores = StoreIndex.of(byLevel);
        double storesMs = (System.nanoTime() - t0) / 1e6;

        // --- endpoints
        List<X509Certificate> tenantAnchors = new ArrayList<>();
        List<Cert> privateRoots = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Cert p = TestPki.root("Private Root " + i);
            privateRoots.add(p);
            tenantAnchors.add(p.cert());
        }
        Map<Integer, Cert> issuing = new HashMap<>();
        List<EndpointObservation> observations = new ArrayList<>();
        String[] kinds = new String[ENDPOINTS];
        for (int e = 0; e < ENDPOINTS; e++) {
            int roll = rnd.nextInt(100);
            String host = "ep" + e + ".bench.test";
            UUID id = UUID.nameUUIDFromBytes(host.getBytes(StandardCharsets.UTF_8));
            if (roll < 50) {
                kinds[e] = "complete";
                Cert ca = issuing.computeIfAbsent(oldRoots.get(rnd.nextInt(oldRoots.size())),
                        r -> roots.get(r).issueIntermediate("CA of " + r));
                observations.add(EndpointObservation.ok(id, host, TestPki.certs(ca.issueLeaf(host), ca), List.of()));
            } else if (roll < 70) {
                kinds[e] = "missing-intermediate";
                Cert ca = issuing.computeIfAbsent(oldRoots.get(rnd.nextInt(oldRoots.size())),
                        r -> roots.get(r).issueIntermediate("CA of " + r));
                observations.add(EndpointObservation.ok(id, host, TestPki.certs(ca.issueLeaf(host)),
                        TestPki.certs(ca)));
            } else if (roll < 80) {
                kinds[e] = "private-root";
                Cert ca = privateRoots.get(rnd.nextInt(3)).issueIntermediate("Private CA " + e);
                observations.add(EndpointObservation.ok(id, host, TestPki.certs(ca.issueLeaf(host), ca), List.of()));
            } else if (roll < 95 && !newRoots.isEmpty()) {
                kinds[e] = "new-root";
                Cert ca = issuing.computeIfAbsent(newRoots.get(rnd.nextInt(newRoots.size())),
                        r -> roots.get(r).issueIntermediate("CA of " + r));
                observations.add(EndpointObservation.ok(id, host, TestPki.certs(ca.issueLeaf(host), ca), List.of()));
            } else {
                kinds[e] = "unfixable";
                Cert ca = roots.get(oldRoots.get(0)).issueIntermediate("Unknown CA " + e);
                observations.add(EndpointObservation.ok(id, host, TestPki.certs(ca.issueLeaf(host)), List.of()));
            }
        }
        List<X509Certificate> shared = new ArrayList<>();
        observations.forEach(o -> shared.addAll(o.extraCandidates()));

        // --- groups
        List<GroupSpec> groups = new ArrayList<>();
        Map<UUID, List<Integer>> groupsOfEndpoint = new HashMap<>();
        for (int g = 0; g < GROUPS; g++) {
            int min = FIRST_LEVEL + rnd.nextInt(27);
            int max = min + rnd.nextInt(LAST_LEVEL - min + 1);
            Set<UUID> eps = new HashSet<>();
            int size = 10 + rnd.nextInt(ENDPOINTS - 10);
            while (eps.size() < size) {
                eps.add(observations.get(rnd.nextInt(ENDPOINTS)).endpointId());
            }
            for (UUID e : eps) {
                groupsOfEndpoint.computeIfAbsent(e, k -> new ArrayList<>()).add(g);
            }
            groups.add(new GroupSpec(UUID.randomUUID(), min, max,
                    rnd.nextBoolean() ? ManagementMode.FULLY_MANAGED : ManagementMode.WORK_PROFILE, eps, Set.of(),
                    Set.of()));
        }

        // --- the incremental change: an endpoint with many groups switches to a chain missing its intermediate
        int changed = 0;
        EndpointObservation before = observations.get(changed);
        Cert newCa = roots.get(oldRoots.get(1)).issueIntermediate("Renewed CA");
        EndpointObservation after = EndpointObservation.ok(before.endpointId(), before.hostname(),
                TestPki.certs(newCa.issueLeaf(before.hostname())), TestPki.certs(newCa));
        List<X509Certificate> sharedAfter = new ArrayList<>(shared);
        sharedAfter.add(newCa.cert());

        long[] full = new long[reps];
        long[] stage1 = new long[reps];
        long[] incremental = new long[reps];
        long[] assessed = new long[reps];
        long[] chosen = new long[reps];
        int[] delivered = new int[1];
        int[] serverFixes = new int[2];
        List<X509Certificate> known = new ArrayList<>(shared);
        known.addAll(tenantAnchors);
        for (int round = -warmup; round < reps; round++) {
            // full recompute
            long s = System.nanoTime();
            Map<UUID, EndpointFixOptions> cache = new ConcurrentHashMap<>();
            observations.parallelStream().forEach(o -> cache.put(o.endpointId(),
                    engine.analyze(o, stores, tenantAnchors, shared, now)));
            long s1 = System.nanoTime();
            Requirements[] results = new Requirements[GROUPS];
            java.util.stream.IntStream.range(0, GROUPS).parallel().forEach(g -> results[g] =
                    engine.requirements(groups.get(g), analysesOf(groups.get(g), cache), Map.of(), now));
            long s2 = System.nanoTime();
            // incremental: one endpoint changed
            cache.put(after.endpointId(), engine.analyze(after, stores, tenantAnchors, sharedAfter, now));
            List<Integer> affected = groupsOfEndpoint.getOrDefault(after.endpointId(), List.of());
            affected.parallelStream().forEach(g -> results[g] =
                    engine.requirements(groups.get(g), analysesOf(groups.get(g), cache), Map.of(), now));
            long s3 = System.nanoTime();
            // server fixes: each endpoint some level rejects assessed once, then chosen from for every group
            Map<UUID, ServerChainOptions> options = new ConcurrentHashMap<>();
            observations.parallelStream()
                    .filter(o -> cache.get(o.endpointId()).levels().values().stream()
                            .anyMatch(l -> l.verdict() != Verdict.TRUSTED))
                    .forEach(o -> engine.serverChains(o, stores, known, now)
                            .ifPresent(chains -> options.put(o.endpointId(), chains)));
            long s4 = System.nanoTime();
            int[] fixesChosen = new int[GROUPS];
            java.util.stream.IntStream.range(0, GROUPS).parallel().forEach(g -> {
                GroupSpec group = groups.get(g);
                for (UUID e : group.endpointIds()) {
                    ServerChainOptions o = options.get(e);
                    if (o != null && cache.get(e).levels().entrySet().stream()
                            .anyMatch(l -> group.coversLevel(l.getKey()) && l.getValue().verdict() != Verdict.TRUSTED)
                            && engine.serverFix(o, group).filter(fix -> fix.perLevel().values().stream()
                                    .anyMatch(v -> !v.trustedAsPresented())).isPresent()) {
                        fixesChosen[g]++;
                    }
                }
            });
            long s5 = System.nanoTime();
            if (round >= 0) {
                full[round] = s2 - s;
                stage1[round] = s1 - s;
                incremental[round] = s3 - s2;
                assessed[round] = s4 - s3;
                chosen[round] = s5 - s4;
            }
            serverFixes[0] = options.size();
            serverFixes[1] = Arrays.stream(fixesChosen).sum();
            delivered[0] = Arrays.stream(results).mapToInt(r -> r.certificates().size()).sum();
        }
        Map<String, Integer> mix = new TreeMap<>();
        for (String k : kinds) {
            mix.merge(k, 1, Integer::sum);
        }
        System.out.printf("world: %d roots, %d store levels (%d..%d), %d endpoints %s, %d groups; "
                + "endpoint %d is in %d groups; %d CPUs%n", ROOTS, stores.apiLevels().size(), FIRST_LEVEL,
                LAST_LEVEL, ENDPOINTS, mix, GROUPS, changed,
                groupsOfEndpoint.getOrDefault(after.endpointId(), List.of()).size(),
                Runtime.getRuntime().availableProcessors());
        System.out.printf("store index build: %.1f ms (once per store change); certificates delivered over all "
                + "groups: %d%n", storesMs, delivered[0]);
        System.out.printf("%-44s %10s %10s  (n=%d after %d warm-up)%n", "measure", "median ms", "p95 ms", reps,
                warmup);
        row("full recompute (analyse 100 + cover 1000)", full);
        row("  of which stage 1 (analyse 100 endpoints)", stage1);
        row("incremental (analyse 1 + cover its groups)", incremental);
        row("server chains (assess " + serverFixes[0] + " endpoints)", assessed);
        row("server fixes (choose " + serverFixes[1] + " for the groups)", chosen);
    }

    static List<EndpointFixOptions> analysesOf(GroupSpec g, Map<UUID, EndpointFixOptions> cache) {
        List<EndpointFixOptions> out = new ArrayList<>(g.endpointIds().size());
        for (UUID e : g.endpointIds()) {
            EndpointFixOptions a = cache.get(e);
            if (a != null) {
                out.add(a);
            }
        }
        return out;
    }

    static void row(String name, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        double median = s[s.length / 2] / 1e6;
        double p95 = s[Math.min(s.length - 1, (int) Math.ceil(s.length * 0.95) - 1)] / 1e6;
        System.out.printf("%-44s %10.1f %10.1f%n", name, median, p95);
    }
}
