package org.trustfleet.policy;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.trustfleet.pki.StoreIndex;

/**
 * The engine called the way {@link RequirementsService} calls it (one candidate pool for the tenant, one analysis per
 * covered endpoint, then the cover), for tests and the benchmark that start from observations.
 */
final class EngineFixture {

    private EngineFixture() {
    }

    /** Production wiring: {@link PolicyEngine#candidatePool}, {@link PolicyEngine#analyze}, then the cover. */
    static Requirements requirements(PolicyEngine engine, GroupSpec group, List<EndpointObservation> observations,
            StoreIndex stores, Collection<X509Certificate> tenantAnchors, Map<String, X509Certificate> includes,
            Instant now) {
        List<X509Certificate> pool = PolicyEngine.candidatePool(includes, observations);
        List<EndpointFixOptions> analyses = new ArrayList<>();
        for (EndpointObservation o : observations) {
            if (group.covers(o.endpointId())) {
                analyses.add(engine.analyze(o, stores, tenantAnchors, pool, now));
            }
        }
        return engine.requirements(group, analyses, includes, now);
    }

    /** One endpoint analysed on its own (no pool shared with other endpoints). */
    static EndpointFixOptions analyzeAlone(PolicyEngine engine, EndpointObservation obs, StoreIndex stores,
            Collection<X509Certificate> tenantAnchors, Instant now) {
        return engine.analyze(obs, stores, tenantAnchors, List.of(), now);
    }
}
