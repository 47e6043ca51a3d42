package org.trustfleet.policy;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.trustfleet.pki.ComputationMemo;
import org.trustfleet.pki.FixFinder;
import org.trustfleet.pki.StoreIndex;

/**
 * Stage 1 of the engine, group-independent: one endpoint's options per API level, in policy terms. The certificate work
 * is {@link FixFinder}'s (the same answer the scan reports as {@code missing}); this class adds what the observation's
 * status says and names each fix's reason and role.
 */
final class EndpointAnalyzer {

    private final FixFinder finder;

    EndpointAnalyzer(FixFinder finder) {
        this.finder = finder;
    }

    EndpointFixOptions analyze(EndpointObservation obs, StoreIndex stores, Collection<X509Certificate> tenantAnchors,
            Collection<X509Certificate> sharedCandidates, Instant now, ComputationMemo memo) {
        Objects.requireNonNull(obs, "obs");
        Objects.requireNonNull(stores, "stores");
        Objects.requireNonNull(now, "now");
        SortedMap<Integer, LevelOutcome> levels = new TreeMap<>();
        Map<String, KnownCertificate> named = new TreeMap<>();
        LevelOutcome everywhere = upfront(obs);
        if (everywhere != null) {
            for (int level : stores.apiLevels()) {
                levels.put(level, everywhere);
            }
            return new EndpointFixOptions(obs.endpointId(), levels, named, Set.of());
        }
        List<X509Certificate> candidates = new ArrayList<>(obs.extraCandidates());
        if (sharedCandidates != null) {
            candidates.addAll(sharedCandidates);
        }
        FixFinder.EndpointFixes found = finder.find(obs.presented(), obs.hostname(), stores, tenantAnchors, candidates,
                now, memo);
        // levels that share one answer share one outcome instance: stage 2 handles each distinct outcome once
        Map<FixFinder.LevelFixes, LevelOutcome> outcomes = new IdentityHashMap<>();
        // a level where an observed store lacks a public root gets outcomes of its own (the reason names that)
        Map<FixFinder.LevelFixes, Map<Set<String>, LevelOutcome>> observedOutcomes = new IdentityHashMap<>();
        found.levels().forEach((level, fixes) -> {
            Set<String> lacking = new java.util.TreeSet<>();
            for (FixFinder.CertificateFix f : fixes.fixes()) {
                if (f.root() && !f.privateAnchor() && stores.observedStateLacks(level, f.sha256())) {
                    lacking.add(f.sha256());
                }
            }
            levels.put(level, lacking.isEmpty() ? outcomes.computeIfAbsent(fixes, f -> outcome(f, named, Set.of()))
                    : observedOutcomes.computeIfAbsent(fixes, f -> new java.util.HashMap<>())
                            .computeIfAbsent(lacking, l -> outcome(fixes, named, l)));
        });
        return new EndpointFixOptions(obs.endpointId(), levels, named, found.openIssuers());
    }

    private static LevelOutcome upfront(EndpointObservation obs) {
        return switch (obs.status()) {
            case UNREACHABLE -> LevelOutcome.unresolved(UnresolvedCode.ENDPOINT_UNREACHABLE,
                    obs.statusDetail() == null ? "endpoint unreachable" : obs.statusDetail(), null);
            case NOT_SCANNED -> LevelOutcome.unresolved(UnresolvedCode.NOT_SCANNED,
                    obs.statusDetail() == null ? "endpoint not scanned yet" : obs.statusDetail(), null);
            case OK -> obs.presented().isEmpty() || obs.presented().get(0) == null
                    ? LevelOutcome.unresolved(UnresolvedCode.INVALID_CHAIN, "EMPTY_CHAIN: no certificate presented",
                            null)
                    : null;
        };
    }

    /** {@code observedLacking}: the public roots an observed store of the level lacks (their own reason). */
    private static LevelOutcome outcome(FixFinder.LevelFixes found, Map<String, KnownCertificate> named,
            Set<String> observedLacking) {
        return switch (found.kind()) {
            case TRUSTED -> LevelOutcome.TRUSTED;
            case FIXABLE -> {
                List<Fix> fixes = new ArrayList<>(found.fixes().size());
                for (FixFinder.CertificateFix f : found.fixes()) {
                    CertificateRole role = f.root() ? CertificateRole.ROOT : CertificateRole.INTERMEDIATE;
                    ReasonCode reason = f.privateAnchor() ? ReasonCode.PRIVATE_ANCHOR
                            : observedLacking.contains(f.sha256()) ? ReasonCode.OBSERVED_STORE_LACKS_ROOT
                            : f.root() ? ReasonCode.UNTRUSTED_ROOT : ReasonCode.MISSING_INTERMEDIATE;
                    fixes.add(new Fix(f.sha256(), reason, role, f.presented()));
                    named.computeIfAbsent(f.sha256(), k -> KnownCertificate.of(f.certificate(), role));
                }
                yield LevelOutcome.fixable(fixes);
            }
            case UNFIXABLE -> LevelOutcome.unresolved(code(found.blocker()), found.detail(), found.sha256OrNull());
        };
    }

    private static UnresolvedCode code(FixFinder.Blocker blocker) {
        return switch (blocker) {
            case EXPIRED_LEAF -> UnresolvedCode.EXPIRED_LEAF;
            case NOT_YET_VALID_LEAF -> UnresolvedCode.NOT_YET_VALID_LEAF;
            case HOSTNAME_MISMATCH -> UnresolvedCode.HOSTNAME_MISMATCH;
            case EXPIRED_CHAIN -> UnresolvedCode.EXPIRED_CHAIN;
            case INVALID_CHAIN -> UnresolvedCode.INVALID_CHAIN;
            case NO_PATH -> UnresolvedCode.NO_PATH;
        };
    }
}
