package org.trustfleet.pki;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds certification paths from a leaf to any trust anchor the way Android's Conscrypt does (anchors matched by
 * subject+key or by issuer+signature, any anchor ends the path, self-issued untrusted certificates end the search),
 * but enumerates every path deterministically so callers can validate them in a stable order.
 *
 * <p>Paths are leaf first and end with the anchor's own certificate (not the presented copy). Search is bounded by a
 * maximum path length and a work budget so hostile inputs (loops, 100 same-named certificates) stay cheap.
 */
public final class PathBuilder {

    /** Conscrypt has no explicit limit; 10 certificates is far beyond any real server chain. */
    public static final int DEFAULT_MAX_DEPTH = 10;
    /** Upper bound on signature verifications per build, to keep adversarial bundles cheap. */
    public static final int DEFAULT_MAX_SIGNATURE_CHECKS = 2000;

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
        Search search = new Search(target, intermediates, anchors);
        search.run();
        List<List<X509Certificate>> paths = new ArrayList<>(search.found);
        paths.sort(Comparator.<List<X509Certificate>>comparingInt(List::size)
                .thenComparing(PathBuilder::fingerprintKey));
        return List.copyOf(paths.subList(0, Math.min(maxPaths, paths.size())));
    }

    private static String fingerprintKey(List<X509Certificate> path) {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : path) {
            sb.append(Sha256.of(c)).append('/');
        }
        return sb.toString();
    }

    /** One build: state kept per call so the builder itself is immutable and thread-safe. */
    private final class Search {
        private final X509Certificate target;
        private final List<X509Certificate> pool;
        private final List<X509Certificate> anchors;
        private final Map<String, Boolean> signatureCache = new HashMap<>();
        private final List<List<X509Certificate>> found = new ArrayList<>();
        private final Map<X509Certificate, String> fingerprints = new IdentityHashMap<>();
        private int signatureChecks;
        private int expansions;

        Search(X509Certificate target, Collection<X509Certificate> intermediates,
                Collection<X509Certificate> anchors) {
            this.target = target;
            this.pool = dedupe(intermediates, target);
            this.anchors = dedupe(anchors, null);
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
            return fingerprints.computeIfAbsent(c, Sha256::of);
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
            for (X509Certificate anchor : path.size() + 1 == limit ? ordered(current, anchors)
                    : List.<X509Certificate>of()) {
                if (!path.contains(anchor) && issued(current, anchor)) {
                    List<X509Certificate> complete = new ArrayList<>(path);
                    complete.add(anchor);
                    found.add(List.copyOf(complete));
                }
            }
            for (X509Certificate candidate : ordered(current, pool)) {
                if (path.contains(candidate) || !issued(current, candidate)) {
                    continue;
                }
                path.add(candidate);
                extend(path, limit);
                path.remove(path.size() - 1);
            }
        }

        /** Name-matching candidates, AKI/SKI matches first, then by fingerprint. */
        private List<X509Certificate> ordered(X509Certificate child, List<X509Certificate> candidates) {
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

        private boolean issued(X509Certificate child, X509Certificate issuer) {
            String key = fp(child) + ">" + fp(issuer);
            Boolean cached = signatureCache.get(key);
            if (cached != null) {
                return cached;
            }
            if (signatureChecks >= maxSignatureChecks) {
                return false;
            }
            signatureChecks++;
            boolean ok = Certificates.verifies(child, issuer.getPublicKey());
            signatureCache.put(key, ok);
            return ok;
        }
    }
}
