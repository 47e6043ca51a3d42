package org.trustfleet.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Stage 2's choice: the irredundant set of certificates that covers every fixable (endpoint, API level) pair of a group.
 * Pure bookkeeping over fingerprints, no certificate work.
 */
final class SetCover {

    private SetCover() {
    }

    /**
     * (endpoint, level) pairs with the same allowed fixes, covered together.
     *
     * @param allowed fingerprints of the fixes the group may deliver, most preferred first
     * @param weight  how many API levels of the endpoint have exactly these fixes
     */
    record FixClass(UUID endpointId, List<String> allowed, int weight) {

        FixClass {
            allowed = List.copyOf(allowed);
        }
    }

    /** Key of a {@link FixClass}: the levels of one endpoint that share the same allowed fixes. */
    record FixClassKey(UUID endpointId, List<String> allowed) {
    }

    /**
     * Deterministic greedy cover (largest uncovered weight first; ties: best preference rank of the certificate in the
     * fix lists of the classes it covers, then lower sha256), then pruning in pick order of every certificate whose
     * classes are all covered by another chosen one.
     */
    static Set<String> choose(List<FixClass> classes) {
        Map<String, List<FixClass>> coverage = new TreeMap<>();
        Map<String, Integer> rank = new HashMap<>();
        for (FixClass fc : classes) {
            for (int i = 0; i < fc.allowed().size(); i++) {
                String sha = fc.allowed().get(i);
                coverage.computeIfAbsent(sha, k -> new ArrayList<>()).add(fc);
                rank.merge(sha, i, Math::min);
            }
        }
        // identity: two classes are equal as values only if they are the same class
        Set<FixClass> uncovered = Collections.newSetFromMap(new IdentityHashMap<>());
        uncovered.addAll(classes);
        List<String> picks = new ArrayList<>();
        while (!uncovered.isEmpty()) {
            String best = null;
            int bestWeight = 0;
            for (Map.Entry<String, List<FixClass>> e : coverage.entrySet()) {
                int w = 0;
                for (FixClass fc : e.getValue()) {
                    if (uncovered.contains(fc)) {
                        w += fc.weight();
                    }
                }
                if (w == 0) {
                    continue;
                }
                if (best == null || w > bestWeight || (w == bestWeight && rank.get(e.getKey()) < rank.get(best))) {
                    best = e.getKey(); // TreeMap iteration: equal weight and rank keeps the lower sha256
                    bestWeight = w;
                }
            }
            picks.add(best);
            coverage.get(best).forEach(uncovered::remove);
        }
        Map<FixClass, Integer> count = new IdentityHashMap<>();
        for (String sha : picks) {
            for (FixClass fc : coverage.get(sha)) {
                count.merge(fc, 1, Integer::sum);
            }
        }
        Set<String> kept = new TreeSet<>(picks);
        for (String sha : picks) {
            boolean redundant = true;
            for (FixClass fc : coverage.get(sha)) {
                if (count.get(fc) < 2) {
                    redundant = false;
                    break;
                }
            }
            if (redundant) {
                kept.remove(sha);
                for (FixClass fc : coverage.get(sha)) {
                    count.merge(fc, -1, Integer::sum);
                }
            }
        }
        return kept;
    }
}
