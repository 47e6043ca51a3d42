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
 * them one memo. A caller that looked the certificates up by fingerprint hands those fingerprints over
 * ({@link StoreIndex#memo(Map)}): hashing a scan's certificates again was 6 % of the sweep threads' CPU samples in a
 * store change that alters every verdict. Not thread-safe: one per computation on one thread, dropped with it (it
 * holds every certificate it saw).
 */
public final class ComputationMemo {
    private final StoreIndex stores;
    /** Fingerprints the caller had already, each the one its certificate was looked up by (read, never written). */
    private final Map<X509Certificate, String> known;
    private final Map<X509Certificate, String> fingerprints = new HashMap<>();
    private final Map<String, Boolean> signatures = new HashMap<>();
    private final Map<PathKey, ValidationResult> paths = new HashMap<>();

    /** A built path by its certificates' fingerprints, judged at one instant. */
    private record PathKey(List<String> fingerprints, Instant at) {}

    /**
     * {@code stores}: the index whose fingerprint table to use, or null for a computation over no index;
     * {@code known}: fingerprints the caller knows, each its certificate's {@link Sha256#of} (see
     * {@link StoreIndex#memo(Map)}).
     */
    ComputationMemo(StoreIndex stores, Map<X509Certificate, String> known) {
        this.stores = stores;
        this.known = known;
    }

    /** A memo for a computation over no store index: one validation or path build a caller made alone. */
    static ComputationMemo standalone() {
        return new ComputationMemo(null, Map.of());
    }

    /** The certificate's {@link Sha256#of} fingerprint. */
    public String of(X509Certificate certificate) {
        String sha256 = fingerprints.get(certificate);
        if (sha256 == null) {
            sha256 = known.get(certificate);
            if (sha256 == null) {
                sha256 = stores == null ? Sha256.of(certificate) : stores.sha(certificate);
            }
            fingerprints.put(certificate, sha256);
        }
        return sha256;
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
