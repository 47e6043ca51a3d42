package org.trustfleet.policy;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.trustfleet.pki.ComputationMemo;
import org.trustfleet.pki.FixFinder;
import org.trustfleet.pki.ServerChainAdvisor;
import org.trustfleet.pki.ServerChainOptions;
import org.trustfleet.pki.ServerFix;
import org.trustfleet.pki.Sha256;
import org.trustfleet.pki.StoreIndex;

/**
 * The pure policy engine: which CA certificates a device group must hold so that every endpoint validates, with
 * Android semantics, on every API level of the group, and what no installation can fix.
 *
 * <p>Two stages. {@link #analyze} is group-independent and does all certificate work for one endpoint
 * ({@link EndpointAnalyzer} over {@link FixFinder}, the same fix-finder the scan uses). {@link #requirements} is a set
 * cover over cached analyses ({@link GroupCover}, {@link SetCover}, {@link AdviceText}), with no certificate
 * validation at all. The caller passes every analysis the same {@link #candidatePool}, so that one endpoint's
 * certificate can fix another's chain.
 *
 * <p>Stateless and thread-safe.
 */
public final class PolicyEngine {

    private final EndpointAnalyzer analyzer;
    private final ServerChainAdvisor serverChains = ServerChainAdvisor.create();

    private PolicyEngine(FixFinder finder) {
        this.analyzer = new EndpointAnalyzer(finder);
    }

    /** Engine with the default fix-finder. */
    public static PolicyEngine create() {
        return new PolicyEngine(FixFinder.create());
    }

    /**
     * The candidates every endpoint of a tenant is analysed with: the group's includes and every certificate the
     * tenant's endpoints presented or completed with. Minimality across endpoints holds only when every certificate
     * that may be delivered is a candidate of every endpoint. Deduplicated and ordered by fingerprint.
     */
    public static List<X509Certificate> candidatePool(Map<String, X509Certificate> includes,
            Collection<EndpointObservation> tenantObservations) {
        Map<String, X509Certificate> pool = new TreeMap<>(includes == null ? Map.of() : includes);
        for (EndpointObservation o : tenantObservations) {
            o.presented().forEach(c -> pool.putIfAbsent(Sha256.of(c), c));
            o.extraCandidates().forEach(c -> pool.putIfAbsent(Sha256.of(c), c));
        }
        return List.copyOf(pool.values());
    }

    /**
     * Analyses one endpoint against every store. Candidates are the presented certificates, the observation's extra
     * candidates, the tenant anchors, the shared pool ({@link #candidatePool}) and the union of all stores. The result
     * depends on the pool only through certificates whose subject is one of {@link EndpointFixOptions#openIssuers()}:
     * re-analyse an endpoint when such a certificate joins or leaves the pool.
     */
    public EndpointFixOptions analyze(EndpointObservation obs, StoreIndex stores,
            Collection<X509Certificate> tenantAnchors, Collection<X509Certificate> sharedCandidates, Instant now) {
        return analyze(obs, stores, tenantAnchors, sharedCandidates, now, stores.memo());
    }

    /**
     * {@link #analyze(EndpointObservation, StoreIndex, Collection, Collection, Instant)} within the caller's
     * computation: pass the same memo to the endpoint's {@link #serverChains(EndpointObservation, StoreIndex,
     * Collection, Instant, ComputationMemo)}, which checks mostly the same paths.
     */
    public EndpointFixOptions analyze(EndpointObservation obs, StoreIndex stores,
            Collection<X509Certificate> tenantAnchors, Collection<X509Certificate> sharedCandidates, Instant now,
            ComputationMemo memo) {
        return analyzer.analyze(obs, stores, tenantAnchors == null ? List.of() : tenantAnchors, sharedCandidates,
                now, memo);
    }

    /**
     * The chain the endpoint's server should send for the group's levels ({@link ServerChainAdvisor}, the same
     * computation as the scan's {@code serverFix}, but choosing for the levels in [min, max] only), or empty when the
     * observation holds no chain or the group no level with a store. {@link #serverChains} then {@link #serverFix(
     * ServerChainOptions, GroupSpec)}: callers with several groups assess once and choose per group.
     *
     * @param known every certificate the chain may be built from besides the presented ones and the stores: the
     *              observation's extra candidates, the scan's own proposed chain, the tenant's anchors, the pool
     */
    public Optional<ServerFix> serverFix(EndpointObservation obs, GroupSpec group, StoreIndex stores,
            Collection<X509Certificate> known, Instant now) {
        if (levelsOf(group, stores.apiLevels()).isEmpty()) {
            return Optional.empty();
        }
        return serverChains(obs, stores, known, now).flatMap(options -> serverFix(options, group));
    }

    /**
     * Every chain the endpoint's server could send, with its verdict at every level of the stores: the
     * group-independent part of a server fix, or empty when the observation holds no chain. Parameters as for
     * {@link #serverFix(EndpointObservation, GroupSpec, StoreIndex, Collection, Instant)}.
     */
    public Optional<ServerChainOptions> serverChains(EndpointObservation obs, StoreIndex stores,
            Collection<X509Certificate> known, Instant now) {
        return serverChains(obs, stores, known, now, stores.memo());
    }

    /** {@link #serverChains(EndpointObservation, StoreIndex, Collection, Instant)} within the caller's computation. */
    public Optional<ServerChainOptions> serverChains(EndpointObservation obs, StoreIndex stores,
            Collection<X509Certificate> known, Instant now, ComputationMemo memo) {
        if (obs.status() != ObservationStatus.OK || obs.presented().isEmpty() || obs.presented().get(0) == null) {
            return Optional.empty();
        }
        return Optional.of(serverChains.assess(obs.presented(), known, stores, obs.hostname(), now, memo));
    }

    /** The best of the assessed chains for the group's levels in [min, max]; empty when none of them has a store. */
    public Optional<ServerFix> serverFix(ServerChainOptions options, GroupSpec group) {
        List<Integer> levels = levelsOf(group, options.apiLevels());
        return levels.isEmpty() ? Optional.empty() : Optional.of(options.choose(levels));
    }

    private static List<Integer> levelsOf(GroupSpec group, Collection<Integer> apiLevels) {
        return apiLevels.stream().filter(group::coversLevel).toList();
    }

    /**
     * Set cover over cached analyses (no validation): the irredundant set of certificates fixing every fixable
     * (endpoint, level) of the group, for the levels in [min, max] the analyses know. Endpoints the group names but
     * for which no analysis is given are NOT_SCANNED.
     *
     * @param includes the group's include certificates by fingerprint (only {@link GroupSpec#includeSha256()} entries
     *                 are used); an include that is missing, excluded, not a CA, expired or not yet valid is refused
     *                 with an {@link AdviceCode#INCLUDE_REFUSED} advice and not delivered
     */
    public Requirements requirements(GroupSpec group, List<EndpointFixOptions> analyses,
            Map<String, X509Certificate> includes, Instant now) {
        Set<Integer> known = new TreeSet<>();
        for (EndpointFixOptions a : analyses) {
            known.addAll(a.levels().keySet());
        }
        return new GroupCover(group, analyses, includes, now, known).run();
    }
}
