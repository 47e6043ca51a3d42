package org.trustfleet.pki;

import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;

/**
 * The fingerprints of one computation: those of store certificates from the index's precomputed table, every other
 * certificate's computed once. Chain advice and fix finding, and the path builds of their validations, ask for the
 * same few presented and pooled certificates' fingerprints hundreds of times per endpoint; hashing them each time was a
 * sixth of a platform store change's CPU.
 * Not thread-safe: one per call.
 */
public final class Fingerprints {
    private final StoreIndex stores;
    private final Map<X509Certificate, String> computed = new HashMap<>();

    Fingerprints(StoreIndex stores) {
        this.stores = stores;
    }

    /** The certificate's {@link Sha256#of} fingerprint. */
    public String of(X509Certificate certificate) {
        String known = computed.get(certificate);
        if (known == null) {
            known = stores.sha(certificate);
            computed.put(certificate, known);
        }
        return known;
    }
}
