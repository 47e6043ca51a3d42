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
 */
public final class StoreIndex {

    private final TreeMap<Integer, List<X509Certificate>> stores = new TreeMap<>();
    private final Map<Integer, Set<String>> shaByLevel = new HashMap<>();
    private final Map<X509Certificate, String> shaOf = new HashMap<>();
    private final List<X509Certificate> union;
    private final Set<String> unionSha = new HashSet<>();
    private final Map<X500Principal, List<X509Certificate>> unionBySubject = new HashMap<>();

    private StoreIndex(Map<Integer, ? extends Collection<X509Certificate>> byLevel) {
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

    /** Fingerprint, from the precomputed table when the certificate belongs to a store. */
    public String sha(X509Certificate c) {
        String s = shaOf.get(c);
        return s != null ? s : Sha256.of(c);
    }
}
