package org.trustfleet.pki;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
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

    private record Choice(Candidate candidate, int accepted) {
    }

    // an ordered chain wins a tie with the presented one in another order: the order is part of the advice
    private static final Comparator<Choice> CHOICE_ORDER = Comparator
            .comparingInt((Choice c) -> -c.accepted())
            .thenComparingInt(c -> c.candidate().chain().size())
            .thenComparing(c -> !c.candidate().ordered())
            .thenComparingInt(c -> -c.candidate().sharedWithPresented())
            .thenComparing(c -> c.candidate().key());

    private final SortedSet<Integer> levels;
    private final List<Candidate> candidates;
    private final Map<Integer, ValidationResult> asPresented;
    private final List<String> todaySha256;

    ServerChainOptions(SortedSet<Integer> levels, List<Candidate> candidates,
            Map<Integer, ValidationResult> asPresented, List<String> todaySha256) {
        this.levels = Collections.unmodifiableSortedSet(new TreeSet<>(levels));
        this.candidates = List.copyOf(candidates);
        this.asPresented = Map.copyOf(asPresented);
        this.todaySha256 = List.copyOf(todaySha256);
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
        SortedSet<Integer> selected = new TreeSet<>(levels);
        if (apiLevels != null && !apiLevels.isEmpty()) {
            selected.retainAll(new HashSet<>(apiLevels));
        }
        Choice best = null;
        for (Candidate candidate : candidates) {
            int accepted = 0;
            for (int level : selected) {
                if (candidate.byLevel().get(level).trusted()) {
                    accepted++;
                }
            }
            Choice choice = new Choice(candidate, accepted);
            if (best == null || CHOICE_ORDER.compare(choice, best) < 0) {
                best = choice;
            }
        }
        Candidate chosen = best.candidate();
        SortedMap<Integer, ServerFix.LevelVerdict> perLevel = new TreeMap<>();
        List<Integer> notFixed = new ArrayList<>();
        for (int level : selected) {
            ValidationResult proposed = chosen.byLevel().get(level);
            ValidationResult current = asPresented.get(level);
            perLevel.put(level, new ServerFix.LevelVerdict(proposed.trusted(), current.trusted(),
                    proposed.trusted() ? null : proposed.failure() + ": " + proposed.detail()));
            if (!proposed.trusted()) {
                notFixed.add(level);
            }
        }
        return new ServerFix(chosen.chain(), chosen.chainSha256(), perLevel, notFixed,
                !chosen.chainSha256().equals(todaySha256));
    }
}
