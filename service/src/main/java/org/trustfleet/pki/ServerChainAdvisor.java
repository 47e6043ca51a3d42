package org.trustfleet.pki;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.security.auth.x500.X500Principal;

/**
 * Computes the chain a server should send so that the most selected Android versions accept it ({@link ServerFix}):
 * the server-side fix. Sending the intermediate is not always enough: a leaf plus its intermediate is still rejected
 * by an Android version whose store lacks the (newer) root, while the same chain followed by the root's cross-certificate
 * issued by an older root that version holds is accepted. This class finds such chains among the known certificates
 * and proves each level's verdict with {@link AndroidValidator}, the validator {@link FixFinder} uses, against each
 * level's platform store from {@link StoreIndex}.
 *
 * <p>Candidates are the issuance paths that start at the leaf and go up through the presented certificates, the
 * known ones and the store certificates, each ending at a self-signed root (which is not sent) or at a certificate
 * whose issuer is unknown; the presented chain itself (minus a trailing self-signed root) is always a candidate, so
 * the advice is never worse than today. The chosen candidate is the one the most selected levels accept; ties go to the
 * shorter chain, then to one in issuance order (each certificate followed by its issuer), then to the one sharing more
 * certificates with the presented chain, then to fingerprint order.
 *
 * <p>Verdicts are for stock devices: only the platform store of each level is an anchor set (tenant anchors may be
 * part of a chain, but a server cannot make a device trust a private root). Stateless and thread-safe.
 */
public final class ServerChainAdvisor {

    /** Enough for any real hierarchy with cross-signs, small enough to bound the work on hostile input. */
    private static final int MAX_DEPTH = PathBuilder.DEFAULT_MAX_DEPTH;
    /**
     * Real hierarchies give a handful of paths (one per cross-sign generation); each candidate costs one validation
     * per distinct anchor set, so a pasted or served chain built to branch cannot make the advice expensive.
     */
    private static final int MAX_CANDIDATES = 16;
    /** Partial paths looked at, at most: bounds the search where paths branch without ending (a mesh of cross-signs). */
    private static final int MAX_EXPANSIONS = 2_000;

    private final AndroidValidator validator;

    private ServerChainAdvisor(AndroidValidator validator) {
        this.validator = validator;
    }

    /** Advisor with the default Android validator (the one {@link FixFinder#create()} uses). */
    public static ServerChainAdvisor create() {
        return new ServerChainAdvisor(AndroidValidator.create());
    }

    /**
     * The chain the server should send.
     *
     * @param presented        the chain exactly as the server sends it, leaf first (non-empty)
     * @param known            every other certificate the system knows that may belong in the chain: the completed
     *                         path (AIA-fetched included), tenant anchors, certificates seen elsewhere (cross-signed
     *                         roots among them); the store certificates are always included; nulls are ignored
     * @param stores           the platform stores of every API level
     * @param apiLevels        the levels to optimise for; null or empty means every level of {@code stores}; levels
     *                         without a store are ignored
     * @param serverNameOrNull the name devices verify against the leaf, or null to skip that check
     * @param now              the instant at which validity is judged
     */
    public ServerFix advise(List<X509Certificate> presented, Collection<X509Certificate> known, StoreIndex stores,
            Collection<Integer> apiLevels, String serverNameOrNull, Instant now) {
        return assess(presented, known, stores, serverNameOrNull, now).choose(apiLevels);
    }

    /**
     * Every candidate chain with its verdict at every level of {@code stores}: what {@link #advise} chooses from. The
     * candidates and their verdicts do not depend on the levels optimised for, so one assessment answers every level
     * range ({@link ServerChainOptions#choose}) for the cost of one: the groups of a tenant differ mostly in their
     * ranges. Parameters as for {@link #advise}.
     */
    public ServerChainOptions assess(List<X509Certificate> presented, Collection<X509Certificate> known,
            StoreIndex stores, String serverNameOrNull, Instant now) {
        Objects.requireNonNull(stores, "stores");
        return assess(presented, known, stores, serverNameOrNull, now, stores.memo());
    }

    /**
     * {@link #assess(List, Collection, StoreIndex, String, Instant)} within the caller's computation: the chains it
     * judges are mostly the paths the endpoint's fix finding already checked ({@link FixFinder#find(List, String,
     * StoreIndex, Collection, Collection, Instant, ComputationMemo)} with the same memo).
     */
    public ServerChainOptions assess(List<X509Certificate> presented, Collection<X509Certificate> known,
            StoreIndex stores, String serverNameOrNull, Instant now, ComputationMemo memo) {
        Objects.requireNonNull(stores, "stores");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(memo, "memo");
        if (presented == null || presented.isEmpty() || presented.get(0) == null) {
            throw new IllegalArgumentException("no certificate presented");
        }
        SortedSet<Integer> levels = new TreeSet<>(stores.apiLevels());
        X509Certificate leaf = presented.get(0);
        List<X509Certificate> today = withoutTrailingRoot(nonNull(presented));

        Map<X500Principal, List<X509Certificate>> bySubject = new HashMap<>();
        Set<String> pooled = new HashSet<>();
        for (Collection<X509Certificate> source : List.of(presented, known == null ? List.<X509Certificate>of()
                : known)) {
            for (X509Certificate c : source) {
                if (c != null && pooled.add(memo.of(c))) {
                    bySubject.computeIfAbsent(c.getSubjectX500Principal(), k -> new ArrayList<>()).add(c);
                }
            }
        }
        Map<String, List<X509Certificate>> candidates = new LinkedHashMap<>();
        candidates.put(key(today, memo), today);
        enumerate(leaf, bySubject, stores, memo, candidates);

        Set<String> presentedSha = new HashSet<>();
        today.forEach(c -> presentedSha.add(memo.of(c)));
        // exactly what the server sends (root included), so that it matches the scan's own per-level verdicts
        List<X509Certificate> sent = nonNull(presented);
        Map<Integer, ValidationResult> asPresented = verdicts(sent, levels, stores, memo, serverNameOrNull, now);
        String sentKey = key(sent, memo);
        List<ServerChainOptions.Candidate> assessed = new ArrayList<>(candidates.size());
        for (Map.Entry<String, List<X509Certificate>> candidate : candidates.entrySet()) {
            List<X509Certificate> chain = candidate.getValue();
            int shared = (int) chain.stream().filter(c -> presentedSha.contains(memo.of(c))).count();
            // a server that sends no root has its own chain among the candidates: judged once, not twice
            Map<Integer, ValidationResult> judged = candidate.getKey().equals(sentKey) ? asPresented
                    : verdicts(chain, levels, stores, memo, serverNameOrNull, now);
            assessed.add(new ServerChainOptions.Candidate(chain, chain.stream().map(memo::of).toList(),
                    candidate.getKey(), judged, isIssuanceOrdered(chain, memo), shared));
        }
        return new ServerChainOptions(levels, assessed, asPresented, today.stream().map(memo::of).toList());
    }

    /**
     * Breadth-first over issuers, so that the shortest paths are found first and the bound on candidates never drops
     * a short path for long ones; records a candidate at each end (self-signed root dropped, or unknown issuer).
     */
    private static void enumerate(X509Certificate leaf, Map<X500Principal, List<X509Certificate>> pool,
            StoreIndex stores, ComputationMemo memo, Map<String, List<X509Certificate>> out) {
        java.util.ArrayDeque<List<X509Certificate>> queue = new java.util.ArrayDeque<>();
        queue.add(List.of(leaf));
        int expansions = 0;
        while (!queue.isEmpty() && out.size() < MAX_CANDIDATES && expansions++ < MAX_EXPANSIONS) {
            List<X509Certificate> path = queue.poll();
            X509Certificate top = path.get(path.size() - 1);
            if (path.size() > 1 && Certificates.isSelfSigned(top)) {
                List<X509Certificate> chain = List.copyOf(path.subList(0, path.size() - 1));
                out.putIfAbsent(key(chain, memo), chain);
                continue;
            }
            List<X509Certificate> issuers = new ArrayList<>();
            if (!Certificates.isSelfIssued(top) && path.size() < MAX_DEPTH) {
                List<X509Certificate> byName = new ArrayList<>(pool.getOrDefault(top.getIssuerX500Principal(),
                        List.of()));
                byName.addAll(stores.bySubject(top.getIssuerX500Principal()));
                Set<String> seen = new HashSet<>();
                for (X509Certificate c : byName) {
                    // each (child, issuer) signature is checked once, however many paths pass through the child
                    if (seen.add(memo.of(c)) && !onPath(path, c) && memo.verifies(top, c)) {
                        issuers.add(c);
                    }
                }
            }
            if (issuers.isEmpty()) {
                out.putIfAbsent(key(path, memo), path);
                continue;
            }
            // deterministic order, whatever the order of the sources
            issuers.sort(Comparator.comparing(memo::of));
            for (X509Certificate issuer : issuers) {
                List<X509Certificate> longer = new ArrayList<>(path);
                longer.add(issuer);
                queue.add(List.copyOf(longer));
            }
        }
    }

    /** A certificate with the subject and key of one on the path would make a loop (cross-signs go both ways). */
    private static boolean onPath(List<X509Certificate> path, X509Certificate c) {
        for (X509Certificate p : path) {
            if (Certificates.sameSubjectAndKey(p, c)) {
                return true;
            }
        }
        return false;
    }

    private Map<Integer, ValidationResult> verdicts(List<X509Certificate> chain, SortedSet<Integer> levels,
            StoreIndex stores, ComputationMemo memo, String serverName, Instant now) {
        Set<X500Principal> names = new HashSet<>();
        for (X509Certificate c : chain) {
            names.add(c.getSubjectX500Principal());
            names.add(c.getIssuerX500Principal());
        }
        // only store certificates named by the chain can end a path over it: one validation per distinct set
        List<X509Certificate> relevant = new ArrayList<>();
        for (X500Principal name : names) {
            relevant.addAll(stores.bySubject(name));
        }
        Map<Integer, ValidationResult> byLevel = new TreeMap<>();
        Map<Set<String>, ValidationResult> byAnchors = new HashMap<>();
        for (int level : levels) {
            List<X509Certificate> anchors = new ArrayList<>();
            Set<String> key = new TreeSet<>();
            for (X509Certificate c : relevant) {
                String id = memo.of(c);
                if (stores.contains(level, id) && key.add(id)) {
                    anchors.add(c);
                }
            }
            ValidationResult r = byAnchors.computeIfAbsent(key,
                    k -> validator.validate(chain, anchors, serverName, now, memo));
            byLevel.put(level, r);
        }
        return byLevel;
    }

    /** Each certificate is issued by the next one: the order RFC 8446 asks servers to send. */
    private static boolean isIssuanceOrdered(List<X509Certificate> chain, ComputationMemo memo) {
        for (int i = 0; i + 1 < chain.size(); i++) {
            if (!memo.isIssuedBy(chain.get(i), chain.get(i + 1))) {
                return false;
            }
        }
        return true;
    }

    private static List<X509Certificate> nonNull(List<X509Certificate> chain) {
        return chain.stream().filter(Objects::nonNull).toList();
    }

    private static List<X509Certificate> withoutTrailingRoot(List<X509Certificate> chain) {
        List<X509Certificate> l = new ArrayList<>(chain);
        while (l.size() > 1 && Certificates.isSelfSigned(l.get(l.size() - 1))) {
            l.remove(l.size() - 1);
        }
        return List.copyOf(l);
    }

    private static String key(List<X509Certificate> chain, ComputationMemo memo) {
        StringBuilder b = new StringBuilder();
        for (X509Certificate c : chain) {
            b.append(memo.of(c)).append(',');
        }
        return b.toString();
    }
}
