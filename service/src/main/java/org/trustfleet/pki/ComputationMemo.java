package org.trustfleet.pki;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * What one computation over a {@link StoreIndex} (an endpoint's fix finding, or the assessment of its server chains)
 * has already worked out, so that its many validations do not work it out again: each certificate's fingerprint (a
 * store certificate's from the index's precomputed table), each signature check and each built path's verdict.
 * Fix finding and chain advice validate the same few presented and pooled certificates at every distinct anchor set
 * and with every candidate anchor: hashing them again was a sixth of a platform store change's CPU, and checking
 * built paths (the JDK's PKIX validator included) a tenth, the same path often more than once. Every entry is a pure
 * function of its key, so the memo changes what a computation costs, never what it answers. An endpoint's fix finding
 * and the assessment of its server chains check mostly the same paths, so a caller doing both for one endpoint passes
 * them one memo. Not thread-safe: one per computation on one thread, dropped with it (it holds every certificate it
 * saw).
 */
public final class ComputationMemo {
    private final StoreIndex stores;
    private final Map<X509Certificate, String> fingerprints = new HashMap<>();
    private final Map<String, Boolean> signatures = new HashMap<>();
    private final Map<PathKey, ValidationResult> paths = new HashMap<>();

    /** A built path by its certificates' fingerprints, judged at one instant. */
    private record PathKey(List<String> fingerprints, Instant at) {}

    /** {@code stores}: the index whose fingerprint table to use, or null for a computation over no index. */
    ComputationMemo(StoreIndex stores) {
        this.stores = stores;
    }

    /** A memo for a computation over no store index: one validation or path build a caller made alone. */
    static ComputationMemo standalone() {
        return new ComputationMemo(null);
    }

    /** The certificate's {@link Sha256#of} fingerprint. */
    public String of(X509Certificate certificate) {
        String known = fingerprints.get(certificate);
        if (known == null) {
            known = stores == null ? Sha256.of(certificate) : stores.sha(certificate);
            fingerprints.put(certificate, known);
        }
        return known;
    }

    /** {@link Certificates#verifies}: whether {@code issuer}'s key verifies {@code child}'s signature. */
    boolean verifies(X509Certificate child, X509Certificate issuer) {
        return signatures.computeIfAbsent(of(child) + ">" + of(issuer),
                k -> Certificates.verifies(child, issuer.getPublicKey()));
    }

    /** {@link Certificates#isIssuedBy}, its signature check remembered. */
    boolean isIssuedBy(X509Certificate child, X509Certificate issuer) {
        return Certificates.nameChains(child, issuer) && verifies(child, issuer);
    }

    /** The verdict {@code check} gives on the path at {@code now}, worked out once per path and instant. */
    ValidationResult checked(List<X509Certificate> path, Instant now,
            BiFunction<List<X509Certificate>, Instant, ValidationResult> check) {
        List<String> key = new ArrayList<>(path.size());
        for (X509Certificate c : path) {
            key.add(of(c));
        }
        return paths.computeIfAbsent(new PathKey(key, now), k -> check.apply(path, now));
    }
}
