package org.trustfleet.scan;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.security.auth.x500.X500Principal;
import org.trustfleet.pki.Certificates;
import org.trustfleet.pki.ChainLinter;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.FindingCode;
import org.trustfleet.pki.FixFinder;
import org.trustfleet.pki.PathBuilder;
import org.trustfleet.pki.ServerChainAdvisor;
import org.trustfleet.pki.ServerFix;
import org.trustfleet.pki.Sha256;
import org.trustfleet.pki.StoreIndex;
import org.trustfleet.pki.ValidationResult;
import org.trustfleet.truststore.PlatformStore;
import org.trustfleet.truststore.StoreSnapshot;

/**
 * Judges a presented chain for a scan: completes it (known intermediates, AIA), lints it ({@link ChainLinter}), and
 * gives the verdict and the missing certificate for every API level from {@link FixFinder} (the answer the policy
 * engine covers), with findings built from those verdicts.
 *
 * <p>Completion uses, in this order: the presented certificates, intermediates known from earlier scans, and the
 * issuers that the certificates' AIA {@code caIssuers} URLs serve. Android itself never fetches AIA; we do, only
 * to tell the admin which certificate is missing and to be able to deliver it.
 */
public final class ChainJudge {
    private static final int MAX_LOOKUP_ROUNDS = 6;

    private final FixFinder fixFinder = FixFinder.create();
    private final ServerChainAdvisor serverChains = ServerChainAdvisor.create();
    private final ChainLinter analyzer;
    private final PathBuilder paths = PathBuilder.defaults();
    private final Supplier<Optional<AiaFetcher>> aia;

    /** @param aia the AIA fetcher, or empty to complete only from known certificates */
    public ChainJudge(Optional<AiaFetcher> aia) {
        this(aia, ChainLinter.Options.DEFAULT.expiresSoonDays());
    }

    /** @param expiresSoonDays a presented certificate expiring within this many days is EXPIRES_SOON */
    public ChainJudge(Optional<AiaFetcher> aia, int expiresSoonDays) {
        this(() -> aia, expiresSoonDays);
    }

    /**
     * @param aia asked for the AIA fetcher only when a chain needs completing, so that a short-lived process (the
     *            {@code check} command) starts its HTTP client only then
     */
    public ChainJudge(Supplier<Optional<AiaFetcher>> aia, int expiresSoonDays) {
        this.aia = aia;
        this.analyzer = ChainLinter.with(new ChainLinter.Options(expiresSoonDays,
                ChainLinter.Options.DEFAULT.maxCertificates()));
    }

    /**
     * @param presented the chain exactly as the server sent it
     * @param hostname the name (or IP literal) the device would verify
     * @param snapshot the platform stores in force (the one standing for each API level, and every store's roots)
     * @param tenantAnchors the tenant's private CAs
     * @param knownIssuers CA certificates seen before, by subject (RFC 2253)
     */
    public ChainEvaluation evaluate(List<X509Certificate> presented, String hostname, StoreSnapshot snapshot,
            Collection<X509Certificate> tenantAnchors, Function<String, List<X509Certificate>> knownIssuers,
            Instant now) {
        // every certificate that some store holds, plus the tenant's anchors: where a completed path may end
        List<X509Certificate> candidateRoots = new ArrayList<>(snapshot.allStoreCertificates());
        candidateRoots.addAll(tenantAnchors);
        List<Finding> findings = new ArrayList<>(analyzer.analyze(presented, hostname, now));
        if (presented.isEmpty()) {
            return new ChainEvaluation(List.of(), List.of(), findings, List.of(), null, null);
        }
        X509Certificate leaf = presented.get(0);
        Map<String, X509Certificate> pool = new LinkedHashMap<>();
        presented.forEach(c -> pool.putIfAbsent(Sha256.of(c), c));
        Set<String> presentedIds = Set.copyOf(pool.keySet());
        Set<String> known = addKnownIssuers(pool, candidateRoots, knownIssuers);

        Optional<List<X509Certificate>> path = paths.build(leaf, pool.values(),
                namedBy(candidateRoots, pool.values()));
        List<X509Certificate> fetched = new ArrayList<>();
        Optional<AiaFetcher> fetcher = path.isEmpty() ? aia.get() : Optional.empty();
        if (fetcher.isPresent()) {
            // one deadline and fetch count for the whole scan, however many certificates dangle
            AiaBudget budget = fetcher.get().budget();
            for (X509Certificate dangling : dangling(pool.values(), candidateRoots)) {
                AiaCompletion completion = fetcher.get().complete(dangling, budget);
                for (X509Certificate certificate : completion.fetched()) {
                    if (pool.putIfAbsent(Sha256.of(certificate), certificate) == null) {
                        fetched.add(certificate);
                        findings.add(Finding.about(FindingCode.AIA_FETCHED, Sha256.of(certificate),
                                "fetched " + subject(certificate) + " from the AIA caIssuers URL of "
                                        + subject(completion.start())));
                    }
                }
                completion.failure().ifPresent(hop -> findings.add(Finding.about(FindingCode.AIA_UNAVAILABLE,
                        Sha256.of(hop.certificate()), "the issuer of " + subject(hop.certificate())
                                + " could not be fetched by AIA: " + hop.detail())));
            }
            addKnownIssuers(pool, candidateRoots, knownIssuers);
            path = paths.build(leaf, pool.values(), namedBy(candidateRoots, pool.values()));
        }

        List<X509Certificate> completed = path.orElse(List.of());
        Set<String> fetchedIds = new LinkedHashSet<>(fetched.stream().map(Sha256::of).toList());
        // the anchor ends the path; when it is an intermediate (a tenant's private CA) it can be missing too
        int lastIntermediate = completed.isEmpty() || Certificates.isSelfSigned(completed.get(completed.size() - 1))
                ? completed.size() - 1 : completed.size();
        for (int i = 1; i < lastIntermediate; i++) {
            X509Certificate certificate = completed.get(i);
            String id = Sha256.of(certificate);
            if (!presentedIds.contains(id)) {
                String source = fetchedIds.contains(id) ? "AIA supplied it"
                        : known.contains(id) ? "it is known from earlier scans" : "it was found among known CAs";
                findings.add(Finding.about(FindingCode.MISSING_INTERMEDIATE, id,
                        "the server does not send the intermediate " + subject(certificate) + "; " + source
                                + ". Android does not fetch missing intermediates: configure the server to send it"));
            }
        }
        if (completed.isEmpty()) {
            X509Certificate top = presented.get(presented.size() - 1);
            boolean issuerMissing = !Certificates.isSelfSigned(top);
            findings.add(Finding.about(issuerMissing ? FindingCode.MISSING_INTERMEDIATE : FindingCode.UNTRUSTED_ROOT,
                    issuerMissing ? null : Sha256.of(top),
                    issuerMissing
                            ? "no path to a trusted root: the issuer of " + subject(top)
                                    + " was not sent, is not known and could not be fetched"
                            : "the chain ends at " + subject(top) + ", which no Android store or tenant anchor holds"));
        }

        // per level: FixFinder's answer, the same one the policy engine covers, over the same candidates the engine
        // gets from this scan (the completed path and the tenant's anchors; store roots are always candidates)
        SortedMap<Integer, PlatformStore> stores = snapshot.byApiLevel();
        FixFinder.EndpointFixes fixes = fixFinder.find(presented, hostname, snapshot.index(), tenantAnchors,
                completed, now);
        List<ApiLevelVerdict> verdicts = new ArrayList<>();
        stores.forEach((level, store) -> {
            FixFinder.LevelFixes answer = fixes.levels().get(level);
            ValidationResult result = answer.verdict();
            List<ApiLevelVerdict.StateVerdict> states = stateVerdicts(presented, hostname, snapshot.index(), level,
                    now);
            String failure = result.trusted() ? null : result.failure() + ": " + result.detail();
            List<String> trustedOn = states.stream().filter(ApiLevelVerdict.StateVerdict::trusted)
                    .map(ApiLevelVerdict.StateVerdict::store).toList();
            if (!result.trusted() && !trustedOn.isEmpty()) {
                failure = "trusted on " + (states.get(0).trusted() ? "early builds only" : "some builds only")
                        + " (" + String.join(", ", trustedOn) + "); untrusted on " + String.join(", ", states.stream()
                        .filter(v -> !v.trusted()).map(ApiLevelVerdict.StateVerdict::store).toList());
            }
            verdicts.add(new ApiLevelVerdict(level, store.name(), result.trusted(), answer.missing(), failure,
                    states));
        });
        untrustedRoot(completed, stores, verdicts).ifPresent(findings::add);
        if (fixes.levels().values().stream().anyMatch(answer -> answer.verdict().pathLimitReached())) {
            findings.add(Finding.of(FindingCode.PATH_BUILDING_LIMIT, "path building stopped after "
                    + PathBuilder.DEFAULT_MAX_SIGNATURE_CHECKS + " signature verifications: the server sends too many"
                    + " candidate issuers, so a level shown as rejecting the chain may be the limit's answer"));
        }
        ServerFix serverFix = serverChains.advise(presented, serverChainCandidates(pool.values(), completed,
                tenantAnchors, knownIssuers), snapshot.index(), stores.keySet(), hostname, now);
        return new ChainEvaluation(completed, List.copyOf(fetched), List.copyOf(findings), List.copyOf(verdicts),
                serverFix, fixes);
    }

    /**
     * Each state's own verdict on the chain as presented, for a level with several known states (one state needs no
     * list: the level's verdict is its verdict).
     */
    private List<ApiLevelVerdict.StateVerdict> stateVerdicts(List<X509Certificate> presented, String hostname,
            StoreIndex index, int level, Instant now) {
        List<StoreIndex.State> states = index.states(level);
        if (states.size() < 2) {
            return List.of();
        }
        List<ValidationResult> results = fixFinder.stateVerdicts(presented, hostname, index, level, now);
        List<ApiLevelVerdict.StateVerdict> out = new ArrayList<>(states.size());
        for (int i = 0; i < states.size(); i++) {
            ValidationResult r = results.get(i);
            out.add(new ApiLevelVerdict.StateVerdict(states.get(i).name(), r.trusted(),
                    r.trusted() ? null : r.failure() + ": " + r.detail()));
        }
        return out;
    }

    /**
     * What the server chain may be built from: the pool (presented, known issuers, AIA-fetched), the completed path,
     * the tenant's anchors, and every known certificate named like a certificate found so far, a few rounds up: a
     * cross-signed root carries the subject of the root it stands for, so looking up the names finds it even when
     * the path completes without it.
     */
    private static List<X509Certificate> serverChainCandidates(Collection<X509Certificate> pool,
            List<X509Certificate> completed, Collection<X509Certificate> tenantAnchors,
            Function<String, List<X509Certificate>> knownIssuers) {
        Map<String, X509Certificate> found = new LinkedHashMap<>();
        for (Collection<X509Certificate> source : List.of(pool, completed, tenantAnchors)) {
            source.forEach(c -> found.putIfAbsent(Sha256.of(c), c));
        }
        Set<String> looked = new HashSet<>();
        for (int round = 0; round < MAX_LOOKUP_ROUNDS; round++) {
            List<String> names = new ArrayList<>();
            for (X509Certificate c : found.values()) {
                for (X500Principal name : List.of(c.getSubjectX500Principal(), c.getIssuerX500Principal())) {
                    if (looked.add(name.getName())) {
                        names.add(name.getName());
                    }
                }
            }
            boolean grew = false;
            for (String name : names) {
                for (X509Certificate c : knownIssuers.apply(name)) {
                    grew |= found.putIfAbsent(Sha256.of(c), c) == null;
                }
            }
            if (!grew) {
                break;
            }
        }
        return List.copyOf(found.values());
    }

    /**
     * UNTRUSTED_ROOT, built from the per-level verdicts so that it never contradicts them: the levels it names are
     * those that do not accept the chain and whose store lacks the completed path's anchor (a level that lacks the root
     * but trusts the chain through a cross-sign is not named). Absent when there is no such level.
     */
    private static Optional<Finding> untrustedRoot(List<X509Certificate> completed,
            SortedMap<Integer, PlatformStore> stores, List<ApiLevelVerdict> verdicts) {
        if (completed.isEmpty()) {
            return Optional.empty();
        }
        X509Certificate anchor = completed.get(completed.size() - 1);
        String rootId = Sha256.of(anchor);
        TreeSet<Integer> rootMissingAt = new TreeSet<>();
        for (ApiLevelVerdict verdict : verdicts) {
            if (!verdict.trusted() && !stores.get(verdict.apiLevel()).sha256s().contains(rootId)) {
                rootMissingAt.add(verdict.apiLevel());
            }
        }
        if (rootMissingAt.isEmpty()) {
            return Optional.empty();
        }
        String what = Certificates.isSelfSigned(anchor) ? "the root " + subject(anchor)
                : "the chain's trust anchor, the private intermediate CA " + subject(anchor) + ",";
        return Optional.of(Finding.about(FindingCode.UNTRUSTED_ROOT, rootId, what
                + " is not in the system store of API levels " + ApiLevels.describe(rootMissingAt)
                + ", which do not accept the chain"));
    }

    /**
     * The anchors whose subject is the subject or issuer of one of {@code chain}'s certificates: the only ones a path
     * over {@code chain} can end at, since paths only pass through the chain's certificates and an anchor joins a
     * path by name (it issued one of them, or it is the leaf itself). Leaving the others out changes no result, but
     * spares hashing and comparing every store's ~150 roots for each of ~27 API levels, several times per scan.
     */
    private static List<X509Certificate> namedBy(Collection<X509Certificate> anchors,
            Collection<X509Certificate> chain) {
        Set<X500Principal> names = new HashSet<>();
        for (X509Certificate certificate : chain) {
            names.add(certificate.getSubjectX500Principal());
            names.add(certificate.getIssuerX500Principal());
        }
        List<X509Certificate> result = new ArrayList<>();
        for (X509Certificate anchor : anchors) {
            if (names.contains(anchor.getSubjectX500Principal())) {
                result.add(anchor);
            }
        }
        return result;
    }

    /** Adds earlier-seen CA certificates that issue anything in the pool, a few generations up. */
    private static Set<String> addKnownIssuers(Map<String, X509Certificate> pool,
            Collection<X509Certificate> anchors, Function<String, List<X509Certificate>> knownIssuers) {
        Set<String> added = new LinkedHashSet<>();
        for (int round = 0; round < MAX_LOOKUP_ROUNDS; round++) {
            boolean grew = false;
            for (X509Certificate certificate : dangling(List.copyOf(pool.values()), anchors)) {
                for (X509Certificate issuer : knownIssuers.apply(
                        certificate.getIssuerX500Principal().getName())) {
                    if (Certificates.isIssuedBy(certificate, issuer)
                            && pool.putIfAbsent(Sha256.of(issuer), issuer) == null) {
                        added.add(Sha256.of(issuer));
                        grew = true;
                    }
                }
            }
            if (!grew) {
                break;
            }
        }
        return added;
    }

    /** Certificates whose issuer is neither in the pool nor an anchor, and that are not self-signed. */
    private static List<X509Certificate> dangling(Collection<X509Certificate> pool,
            Collection<X509Certificate> anchors) {
        List<X509Certificate> result = new ArrayList<>();
        for (X509Certificate certificate : pool) {
            if (Certificates.isSelfSigned(certificate)) {
                continue;
            }
            boolean issued = pool.stream().anyMatch(c -> c != certificate && Certificates.isIssuedBy(certificate, c))
                    || anchors.stream().anyMatch(a -> Certificates.isIssuedBy(certificate, a)
                            || Certificates.sameSubjectAndKey(certificate, a));
            if (!issued) {
                result.add(certificate);
            }
        }
        return result;
    }

    private static String subject(X509Certificate certificate) {
        return "'" + certificate.getSubjectX500Principal().getName() + "'";
    }
}
