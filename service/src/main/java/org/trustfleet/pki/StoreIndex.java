package org.trustfleet.pki;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.security.auth.x500.X500Principal;

/**
 * The Android system trust store of every known API level, indexed once so that scans and the policy engine judge
 * chains cheaply (the one indexed view of the platform stores; {@code truststore.StoreSnapshot} builds it once per
 * set of stores in force):
 * fingerprints are computed once, certificates are indexed by subject, and the union of all stores (a candidate pool:
 * a root a newer Android trusts can be installed on older ones) is precomputed. Immutable and thread-safe.
 *
 * <p>A level may have several known states (its first release, then security or mainline updates that removed
 * distrusted roots): the store of the level, which every judgement uses, is then what all its states hold, so that a
 * chain counts as trusted on a level only when every device of that level, whatever its state, accepts it, and the
 * certificates delivered for a level serve every state. {@link #states} keeps each state for per-state verdicts.
 */
public final class StoreIndex {

    /**
     * One known state of a level's store (e.g. {@code api-33} and {@code api-33_security-13.0.0_r11}).
     *
     * @param observed true for a store devices reported (rather than one of the platform's published states)
     */
    public record State(String name, Collection<X509Certificate> certificates, boolean observed) {
        public State {
            certificates = List.copyOf(certificates);
        }

        /** A published state. */
        public State(String name, Collection<X509Certificate> certificates) {
            this(name, certificates, false);
        }
    }

    private final Map<Integer, List<State>> states = new HashMap<>();

    private final TreeMap<Integer, List<X509Certificate>> stores = new TreeMap<>();
    private final Map<Integer, Set<String>> shaByLevel = new HashMap<>();
    private final Map<X509Certificate, String> shaOf = new HashMap<>();
    private final List<X509Certificate> union;
    private final Set<String> unionSha = new HashSet<>();
    private final Map<X500Principal, List<X509Certificate>> unionBySubject = new HashMap<>();

    private StoreIndex(Map<Integer, ? extends Collection<X509Certificate>> byLevel) {
        this(byLevel, List.of());
    }

    /** {@code extraUnion}: certificates of states that left no trace in the level's store still join the union. */
    private StoreIndex(Map<Integer, ? extends Collection<X509Certificate>> byLevel, List<X509Certificate> extraUnion) {
        Map<String, X509Certificate> all = new TreeMap<>();
        for (Map.Entry<Integer, ? extends Collection<X509Certificate>> e : byLevel.entrySet()) {
            Map<String, X509Certificate> level = new TreeMap<>();
            for (X509Certificate c : e.getValue()) {
                if (c == null) {
                    continue;
                }
                String sha = shaOf.computeIfAbsent(c, Sha256::of);
                level.putIfAbsent(sha, c);
                all.putIfAbsent(sha, c);
            }
            stores.put(e.getKey(), List.copyOf(level.values()));
            shaByLevel.put(e.getKey(), Set.copyOf(level.keySet()));
        }
        for (X509Certificate c : extraUnion) {
            all.putIfAbsent(shaOf.computeIfAbsent(c, Sha256::of), c);
        }
        union = List.copyOf(all.values());
        unionSha.addAll(all.keySet());
        for (X509Certificate c : union) {
            unionBySubject.computeIfAbsent(c.getSubjectX500Principal(), k -> new ArrayList<>()).add(c);
        }
    }

    /** Stores keyed by API level; certificates are deduplicated by fingerprint. */
    public static StoreIndex of(Map<Integer, ? extends Collection<X509Certificate>> byLevel) {
        return new StoreIndex(byLevel);
    }

    /**
     * Every known state of each level (none empty): the store of a level is what all its states hold, the union of
     * the index spans every state.
     */
    public static StoreIndex ofStates(Map<Integer, List<State>> byLevel) {
        return ofStates(byLevel, List.of());
    }

    /** As {@link #ofStates(Map)}, with {@code alsoInUnion} among the candidates too (stores that stand for no level). */
    public static StoreIndex ofStates(Map<Integer, List<State>> byLevel, Collection<X509Certificate> alsoInUnion) {
        Map<Integer, Collection<X509Certificate>> common = new TreeMap<>();
        List<X509Certificate> every = new ArrayList<>(alsoInUnion);
        for (Map.Entry<Integer, List<State>> e : byLevel.entrySet()) {
            if (e.getValue().isEmpty()) {
                throw new IllegalArgumentException("level " + e.getKey() + " has no state");
            }
            Map<String, X509Certificate> kept = null;
            for (State state : e.getValue()) {
                Map<String, X509Certificate> these = new TreeMap<>();
                state.certificates().forEach(c -> these.putIfAbsent(Sha256.of(c), c));
                every.addAll(these.values());
                if (kept == null) {
                    kept = these;
                } else {
                    kept.keySet().retainAll(these.keySet());
                }
            }
            common.put(e.getKey(), List.copyOf(kept.values()));
        }
        StoreIndex index = new StoreIndex(common, every);
        byLevel.forEach((level, list) -> index.states.put(level, List.copyOf(list)));
        return index;
    }

    /**
     * The known states of a level, first release first; one state named {@code ""} (the level's store) for an
     * index built by {@link #of}, none for an unknown level.
     */
    public List<State> states(int apiLevel) {
        return statesOf(apiLevel);
    }

    /** Whether some observed state of the level lacks the certificate (a device reported a store without it). */
    public boolean observedStateLacks(int apiLevel, String sha256) {
        for (State state : statesOf(apiLevel)) {
            if (state.observed() && state.certificates().stream().noneMatch(c -> sha(c).equals(sha256))) {
                return true;
            }
        }
        return false;
    }

    /** Every state of every level, for building an index with more states. */
    public Map<Integer, List<State>> allStates() {
        Map<Integer, List<State>> out = new TreeMap<>();
        for (int level : stores.keySet()) {
            out.put(level, statesOf(level));
        }
        return out;
    }

    private List<State> statesOf(int apiLevel) {
        List<State> known = states.get(apiLevel);
        if (known != null) {
            return known;
        }
        return stores.containsKey(apiLevel) ? List.of(new State("", stores.get(apiLevel))) : List.of();
    }

    /** The API levels for which a store is known, ascending. */
    public SortedSet<Integer> apiLevels() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(stores.keySet()));
    }

    /** The store of one API level (sorted by fingerprint), empty when unknown. */
    public Collection<X509Certificate> store(int apiLevel) {
        return stores.getOrDefault(apiLevel, List.of());
    }

    /** Whether the store of {@code apiLevel} holds the certificate with this fingerprint. */
    public boolean contains(int apiLevel, String sha256) {
        Set<String> s = shaByLevel.get(apiLevel);
        return s != null && s.contains(sha256);
    }

    /** Union of every store, deduplicated, sorted by fingerprint. */
    public List<X509Certificate> union() {
        return union;
    }

    /** Whether any platform store holds this fingerprint (a public CA as opposed to a tenant's private one). */
    public boolean inAnyStore(String sha256) {
        return unionSha.contains(sha256);
    }

    /** Store certificates whose subject is {@code subject} (candidate issuers by name). */
    public List<X509Certificate> bySubject(X500Principal subject) {
        return unionBySubject.getOrDefault(subject, List.of());
    }

    /** A memo for one computation over this index (see {@link ComputationMemo}). */
    public ComputationMemo memo() {
        return memo(Map.of());
    }

    /**
     * A memo for one computation over this index whose caller knows some certificates' fingerprints already: each
     * value must be its key's {@link Sha256#of}, as it is for certificates looked up by their fingerprint (the memo
     * takes them as given). The map is read, not copied: the caller keeps it unchanged while the memo is in use.
     */
    public ComputationMemo memo(Map<X509Certificate, String> knownFingerprints) {
        return new ComputationMemo(this, knownFingerprints);
    }

    /** Fingerprint, from the precomputed table when the certificate belongs to a store. */
    public String sha(X509Certificate c) {
        String s = shaOf.get(c);
        return s != null ? s : Sha256.of(c);
    }
}
