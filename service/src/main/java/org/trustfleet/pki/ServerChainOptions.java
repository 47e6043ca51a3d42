package org.trustfleet.pki;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every chain a server could send for one presented chain, each with its verdict at every level of the stores, as
 * {@link ServerChainAdvisor#assess} found them: the expensive part of a server fix, computed once and then chosen from
 * for any level range ({@link #choose}), so that the groups of a tenant, which differ in their ranges, do not each
 * build and validate the same paths again. Immutable and thread-safe.
 */
public final class ServerChainOptions {

    /** One candidate chain and what every level of the stores says of it. */
    record Candidate(List<X509Certificate> chain, List<String> chainSha256, String key,
            Map<Integer, ValidationResult> byLevel, boolean ordered, int sharedWithPresented) {
        Candidate {
            chain = List.copyOf(chain);
            chainSha256 = List.copyOf(chainSha256);
            byLevel = Map.copyOf(byLevel);
        }
    }

    // an ordered chain wins a tie with the presented one in another order: the order is part of the advice
    private static final Comparator<Candidate> TIE_ORDER = Comparator
            .comparingInt((Candidate c) -> c.chain().size())
            .thenComparing(c -> !c.ordered())
            .thenComparingInt(c -> -c.sharedWithPresented())
            .thenComparing(Candidate::key);

    private final SortedSet<Integer> levels;
    /** {@link #levels}, ascending: a level's index here is its bit in {@link #trustedBy}. */
    private final int[] levelArray;
    /** The candidates in tie order: of those the most selected levels accept, {@link #choose} takes the first. */
    private final List<Candidate> candidates;
    /** Per candidate (same index), the levels that accept it, by level index. */
    private final BitSet[] trustedBy;
    /** Per candidate and level index, that level's verdicts as a {@link ServerFix} reports them. */
    private final ServerFix.LevelVerdict[][] verdicts;
    private final boolean[] changesPresented;

    /**
     * What {@link #choose} reports is worked out here, once per assessment: a recompute chooses for every group and
     * endpoint it covers (hundreds of thousands of choices in a platform store change), but assesses each endpoint
     * once.
     */
    ServerChainOptions(SortedSet<Integer> levels, List<Candidate> candidates,
            Map<Integer, ValidationResult> asPresented, List<String> todaySha256) {
        this.levels = Collections.unmodifiableSortedSet(new TreeSet<>(levels));
        this.levelArray = this.levels.stream().mapToInt(Integer::intValue).toArray();
        List<Candidate> ordered = new ArrayList<>(candidates);
        ordered.sort(TIE_ORDER);
        this.candidates = List.copyOf(ordered);
        this.trustedBy = new BitSet[ordered.size()];
        this.verdicts = new ServerFix.LevelVerdict[ordered.size()][levelArray.length];
        this.changesPresented = new boolean[ordered.size()];
        // levels with the same anchors share one verdict object (ServerChainAdvisor judges each anchor set once):
        // its reason is written once
        Map<ValidationResult, String> reasons = new IdentityHashMap<>();
        for (int c = 0; c < ordered.size(); c++) {
            Candidate candidate = ordered.get(c);
            trustedBy[c] = new BitSet(levelArray.length);
            for (int i = 0; i < levelArray.length; i++) {
                ValidationResult proposed = candidate.byLevel().get(levelArray[i]);
                trustedBy[c].set(i, proposed.trusted());
                verdicts[c][i] = new ServerFix.LevelVerdict(proposed.trusted(),
                        asPresented.get(levelArray[i]).trusted(), proposed.trusted() ? null
                                : reasons.computeIfAbsent(proposed, r -> r.failure() + ": " + r.detail()));
            }
            changesPresented[c] = !candidate.chainSha256().equals(todaySha256);
        }
    }

    /** The API levels assessed: every level of the stores, ascending. */
    public SortedSet<Integer> apiLevels() {
        return levels;
    }

    /**
     * The chain the server should send so that the most of the given levels accept it; ties as
     * {@link ServerChainAdvisor} documents them.
     *
     * @param apiLevels the levels to optimise for; null or empty means every level assessed; levels without a store
     *                  are ignored
     */
    public ServerFix choose(Collection<Integer> apiLevels) {
        BitSet selected = new BitSet(levelArray.length);
        if (apiLevels == null || apiLevels.isEmpty()) {
            selected.set(0, levelArray.length);
        } else {
            for (Integer level : apiLevels) {
                int i = level == null ? -1 : Arrays.binarySearch(levelArray, level);
                if (i >= 0) {
                    selected.set(i);
                }
            }
        }
        // the first candidate in tie order among those the most selected levels accept
        int best = 0;
        int bestAccepted = -1;
        for (int c = 0; c < trustedBy.length; c++) {
            int accepted = 0;
            for (int i = selected.nextSetBit(0); i >= 0; i = selected.nextSetBit(i + 1)) {
                if (trustedBy[c].get(i)) {
                    accepted++;
                }
            }
            if (accepted > bestAccepted) {
                best = c;
                bestAccepted = accepted;
            }
        }
        SortedMap<Integer, ServerFix.LevelVerdict> perLevel = new TreeMap<>();
        List<Integer> notFixed = new ArrayList<>();
        for (int i = selected.nextSetBit(0); i >= 0; i = selected.nextSetBit(i + 1)) {
            ServerFix.LevelVerdict verdict = verdicts[best][i];
            perLevel.put(levelArray[i], verdict);
            if (!verdict.trusted()) {
                notFixed.add(levelArray[i]);
            }
        }
        Candidate chosen = candidates.get(best);
        return new ServerFix(chosen.chain(), chosen.chainSha256(), perLevel, notFixed, changesPresented[best]);
    }
}
