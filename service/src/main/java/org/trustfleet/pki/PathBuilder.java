package org.trustfleet.pki;

import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * Finds certification paths from a leaf to any trust anchor the way Android's Conscrypt does (anchors matched by
 * subject+key or by issuer+signature, any anchor ends the path, self-issued untrusted certificates end the search),
 * but enumerates every path deterministically so callers can validate them in a stable order.
 *
 * <p>Paths are leaf first and end with the anchor's own certificate (not the presented copy). Search is bounded by a
 * maximum path length and a work budget so hostile inputs (loops, 100 same-named certificates) stay cheap: like
 * Conscrypt, which picks untrusted issuers by name and verifies signatures only on a path that reaches an anchor, a
 * candidate whose chain of issuer names cannot reach an anchor within the depth left is skipped before its signature
 * is verified; what remains is capped by a count of signature verifications (never by time, so the answer does not
 * depend on machine load), and {@link Result#limitReached()} says when a cap cut the search short.
 */
public final class PathBuilder {

    /** Conscrypt has no explicit limit; 10 certificates is far beyond any real server chain. */
    public static final int DEFAULT_MAX_DEPTH = 10;
    /**
     * Upper bound on signature verifications per build, to keep adversarial bundles cheap. Real chains, cross-signs
     * included, need a few dozen at most once unreachable candidates are pruned; 256 verifications cost tens of
     * milliseconds.
     */
    public static final int DEFAULT_MAX_SIGNATURE_CHECKS = 256;

    private static final int MAX_EXPANSIONS = 20_000;
    private static final int MAX_FOUND = 1_000;

    private final int maxDepth;
    private final int maxSignatureChecks;

    private PathBuilder(int maxDepth, int maxSignatureChecks) {
        if (maxDepth < 1 || maxSignatureChecks < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxDepth = maxDepth;
        this.maxSignatureChecks = maxSignatureChecks;
    }

    /** Builder with {@link #DEFAULT_MAX_DEPTH} and {@link #DEFAULT_MAX_SIGNATURE_CHECKS}. */
    public static PathBuilder defaults() {
        return new PathBuilder(DEFAULT_MAX_DEPTH, DEFAULT_MAX_SIGNATURE_CHECKS);
    }

    /** Builder limited to paths of at most {@code maxDepth} certificates (anchor included). */
    public static PathBuilder withMaxDepth(int maxDepth) {
        return new PathBuilder(maxDepth, DEFAULT_MAX_SIGNATURE_CHECKS);
    }

    /** Builder with {@link #DEFAULT_MAX_DEPTH} that verifies at most {@code maxSignatureChecks} signatures per build. */
    public static PathBuilder withMaxSignatureChecks(int maxSignatureChecks) {
        return new PathBuilder(DEFAULT_MAX_DEPTH, maxSignatureChecks);
    }

    /**
     * What one build found and what it cost.
     *
     * @param paths           as {@link #allPaths}
     * @param signatureChecks signature verifications performed (deterministic for the same input)
     * @param limitReached    the signature or enumeration budget ran out, so paths may be missing
     */
    public record Result(List<List<X509Certificate>> paths, int signatureChecks, boolean limitReached) {
        public Result {
            paths = List.copyOf(paths);
        }
    }

    /** The preferred path (shortest, then lowest fingerprint sequence), if any path reaches an anchor. */
    public Optional<List<X509Certificate>> build(X509Certificate target, Collection<X509Certificate> intermediates,
            Collection<X509Certificate> anchors) {
        List<List<X509Certificate>> all = allPaths(target, intermediates, anchors, 1_000);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    /**
     * Every simple path (no certificate twice) from {@code target} to an anchor within the limits, sorted shortest
     * first, then by the sequence of fingerprints. At most {@code maxPaths} paths are returned.
     */
    public List<List<X509Certificate>> allPaths(X509Certificate target, Collection<X509Certificate> intermediates,
            Collection<X509Certificate> anchors, int maxPaths) {
        return search(target, intermediates, anchors, maxPaths).paths();
    }

    /** {@link #allPaths}, with the work it took and whether a budget cut it short. */
    public Result search(X509Certificate target, Collection<X509Certificate> intermediates,
            Collection<X509Certificate> anchors, int maxPaths) {
        return search(target, intermediates, anchors, maxPaths, null);
    }

    /**
     * {@link #search}, within the caller's computation when it has one ({@code memo}, or null): fix finding and chain
     * advice validate the same few certificates many times per endpoint, and hashing them again in every build was a
     * tenth of a platform store change's CPU; their signatures are checked once per computation too. The budget
     * still counts every signature this build needs, remembered or not, so the memo never changes what it finds.
     */
    Result search(X509Certificate target, Collection<X509Certificate> intermediates,
            Collection<X509Certificate> anchors, int maxPaths, ComputationMemo memo) {
        Search search = new Search(target, intermediates, anchors, memo == null ? ComputationMemo.standalone() : memo);
        search.run();
        List<List<X509Certificate>> paths = new ArrayList<>(search.found);
        paths.sort(Comparator.<List<X509Certificate>>comparingInt(List::size)
                .thenComparing(search::fingerprintKey));
        return new Result(paths.subList(0, Math.min(maxPaths, paths.size())), search.signatureChecks,
                search.limitReached);
    }

    /**
     * The candidates whose subject is the child's issuer name, in their order, those whose key identifiers match the
     * child's first: the ones worth a signature check, likeliest first. Key identifiers are decoded only when there
     * are several to order.
     */
    static List<X509Certificate> namedIssuers(X509Certificate child, Collection<X509Certificate> candidates) {
        List<X509Certificate> matches = new ArrayList<>();
        for (X509Certificate c : candidates) {
            if (Certificates.nameChains(child, c)) {
                matches.add(c);
            }
        }
        if (matches.size() > 1) {
            List<X509Certificate> preferred = new ArrayList<>();
            List<X509Certificate> rest = new ArrayList<>();
            for (X509Certificate c : matches) {
                (Certificates.keyIdsMatch(child, c) ? preferred : rest).add(c);
            }
            preferred.addAll(rest);
            return preferred;
        }
        return matches;
    }

    /** One build: state kept per call so the builder itself is immutable and thread-safe. */
    private final class Search {
        private final X509Certificate target;
        private final List<X509Certificate> pool;
        private final List<X509Certificate> anchors;
        private final Map<String, Boolean> signatureCache = new HashMap<>();
        private final List<List<X509Certificate>> found = new ArrayList<>();
        /** The caller's computation, or this build's own. */
        private final ComputationMemo memo;
        /** Pool certificate -> fewest certificates (anchor included) that can follow it by issuer name. */
        private final Map<X509Certificate, Integer> toAnchor;
        /** The pool certificates with a distance, in pool order: the only ones ever worth a signature check. */
        private final List<X509Certificate> reachablePool;
        /** Ordered pool candidates per certificate, kept across the deepening rounds (ordering parses extensions). */
        private final Map<X509Certificate, List<X509Certificate>> issuersInPool = new IdentityHashMap<>();
        private int signatureChecks;
        private int expansions;
        private boolean limitReached;

        Search(X509Certificate target, Collection<X509Certificate> intermediates,
                Collection<X509Certificate> anchors, ComputationMemo memo) {
            this.memo = memo;
            this.target = target;
            this.pool = dedupe(intermediates, target);
            this.anchors = dedupe(anchors, null);
            this.toAnchor = distancesToAnchors();
            this.reachablePool = pool.stream().filter(toAnchor::containsKey).toList();
        }

        /**
         * Breadth-first from the anchors backwards over issuer names: a pool certificate gets distance 1 when an
         * anchor carries its issuer's name, d + 1 when a certificate at distance d does. Self-issued pool certificates
         * never get one (the search stops at them), nor do those whose names lead nowhere: no path can pass through
         * either, so their signatures need never be verified. Names only, so this costs no cryptography.
         */
        private Map<X509Certificate, Integer> distancesToAnchors() {
            Map<X500Principal, List<X509Certificate>> byIssuer = new HashMap<>();
            for (X509Certificate c : pool) {
                if (!Certificates.isSelfIssued(c)) {
                    byIssuer.computeIfAbsent(c.getIssuerX500Principal(), k -> new ArrayList<>()).add(c);
                }
            }
            Map<X509Certificate, Integer> distance = new IdentityHashMap<>();
            Deque<X509Certificate> queue = new ArrayDeque<>();
            Set<X500Principal> anchorNames = new HashSet<>();
            for (X509Certificate anchor : anchors) {
                if (anchorNames.add(anchor.getSubjectX500Principal())) {
                    for (X509Certificate c : byIssuer.getOrDefault(anchor.getSubjectX500Principal(), List.of())) {
                        if (distance.putIfAbsent(c, 1) == null) {
                            queue.add(c);
                        }
                    }
                }
            }
            while (!queue.isEmpty()) {
                X509Certificate issuer = queue.poll();
                int next = distance.get(issuer) + 1;
                for (X509Certificate c : byIssuer.getOrDefault(issuer.getSubjectX500Principal(), List.of())) {
                    if (distance.putIfAbsent(c, next) == null) {
                        queue.add(c);
                    }
                }
            }
            return distance;
        }

        private List<X509Certificate> dedupe(Collection<X509Certificate> certs, X509Certificate exclude) {
            Map<String, X509Certificate> bySha = new LinkedHashMap<>();
            if (certs != null) {
                for (X509Certificate c : certs) {
                    if (c != null && !c.equals(exclude)) {
                        bySha.putIfAbsent(fp(c), c);
                    }
                }
            }
            List<X509Certificate> list = new ArrayList<>(bySha.values());
            list.sort(Comparator.comparing(this::fp));
            return list;
        }

        private String fp(X509Certificate c) {
            return memo.of(c);
        }

        private String fingerprintKey(List<X509Certificate> path) {
            StringBuilder sb = new StringBuilder();
            for (X509Certificate c : path) {
                sb.append(fp(c)).append('/');
            }
            return sb.toString();
        }

        void run() {
            // Conscrypt first asks whether the leaf itself is an anchor (same subject and key).
            for (X509Certificate anchor : anchors) {
                if (Certificates.sameSubjectAndKey(target, anchor)) {
                    found.add(List.of(anchor));
                    return;
                }
            }
            // Iterative deepening: all paths of length 2, then 3, ... so the work budget can never be spent on long
            // detours before the short paths (the ones that matter) are found.
            for (int limit = 2; limit <= maxDepth && expansions <= MAX_EXPANSIONS && found.size() < MAX_FOUND;
                    limit++) {
                List<X509Certificate> path = new ArrayList<>();
                path.add(target);
                extend(path, limit);
            }
            if (expansions > MAX_EXPANSIONS) {
                limitReached = true;
            }
        }

        /** Records paths of exactly {@code limit} certificates extending {@code path}. */
        private void extend(List<X509Certificate> path, int limit) {
            X509Certificate current = path.get(path.size() - 1);
            // The expansion budget bounds enumeration itself (the signature cache only bounds crypto work).
            if (path.size() >= limit || ++expansions > MAX_EXPANSIONS || found.size() >= MAX_FOUND) {
                return;
            }
            // An untrusted self-issued certificate ends the search, even when an anchor could have signed it
            // (key-rollover certificates): Conscrypt checks "issuer DN == subject DN" first and gives up there.
            if (Certificates.isSelfIssued(current)) {
                return;
            }
            // Any anchor that issued the current certificate ends a path, intermediates installed as CAs included.
            for (X509Certificate anchor : path.size() + 1 == limit ? namedIssuers(current, anchors)
                    : List.<X509Certificate>of()) {
                if (!path.contains(anchor) && issued(current, anchor)) {
                    List<X509Certificate> complete = new ArrayList<>(path);
                    complete.add(anchor);
                    found.add(List.copyOf(complete));
                }
            }
            for (X509Certificate candidate : issuersInPool.computeIfAbsent(current, c -> namedIssuers(c, reachablePool))) {
                // Names first, signatures last: a candidate that cannot reach an anchor within this round's length is
                // on no path of it, so its signature is not verified (Conscrypt never verifies such a candidate).
                Integer distance = toAnchor.get(candidate);
                if (distance == null || path.size() + 1 + distance > limit || path.contains(candidate)
                        || !issued(current, candidate)) {
                    continue;
                }
                path.add(candidate);
                extend(path, limit);
                path.remove(path.size() - 1);
            }
        }

        private boolean issued(X509Certificate child, X509Certificate issuer) {
            String key = fp(child) + ">" + fp(issuer);
            Boolean cached = signatureCache.get(key);
            if (cached != null) {
                return cached;
            }
            if (signatureChecks >= maxSignatureChecks) {
                limitReached = true;
                return false;
            }
            signatureChecks++;
            boolean ok = memo.verifies(child, issuer);
            signatureCache.put(key, ok);
            return ok;
        }
    }
}
