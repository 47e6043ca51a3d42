package org.trustfleet.truststore;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.trustfleet.cache.BoundedCache;
import org.trustfleet.cache.Caches;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.pki.SignatureVerdicts;

/**
 * Gives pki's remembered signature verdicts ({@link SignatureVerdicts}) this replica's memory, a bounded cache
 * ({@code signature-verdicts}, at most {@code trustfleet.cache.signature-verdicts-max-entries}), before any request
 * or background job runs: a platform store change re-judges every endpoint's chain, and its leaves' signatures are
 * then answered from memory instead of checked again. A verdict never goes stale (it is a function of the exact
 * bytes checked), so nothing invalidates it and replicas need not agree on what they keep.
 */
@Singleton
public class SignatureVerdictCache {
    private final BoundedCache<SignatureVerdicts.Key, Boolean> verdicts;

    public SignatureVerdictCache(TrustfleetConfig config) {
        this.verdicts = Caches.bounded("signature-verdicts", config.cache().signatureVerdictsMaxEntries());
    }

    void onStart(@Observes StartupEvent event) {
        SignatureVerdicts.install(new SignatureVerdicts.Memory() {
            @Override
            public Boolean find(SignatureVerdicts.Key key) {
                return verdicts.get(key);
            }

            @Override
            public void keep(SignatureVerdicts.Key key, boolean verifies) {
                verdicts.put(key, verifies);
            }
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        SignatureVerdicts.uninstall();
    }
}
