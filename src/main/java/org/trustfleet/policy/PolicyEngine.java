package org.trustfleet.policy;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import javax.security.auth.x500.X500Principal;
import org.trustfleet.pki.AndroidValidator;
import org.trustfleet.pki.Certificates;
import org.trustfleet.pki.HostnameMatcher;
import org.trustfleet.pki.Sha256;
import org.trustfleet.pki.ValidationFailure;
import org.trustfleet.pki.ValidationResult;

/**
 * The pure policy engine: which CA certificates a device group must hold so that every endpoint validates, with
 * Android semantics, on every API level of the group, and what no installation can fix.
 *
 * <p>Two stages. {@link #analyze} is group-independent and does all certificate work for one endpoint: per API level,
 * does the presented chain validate with the system store, and if not, which single certificates fix it (an installed
 * CA certificate is an anchor, so one always suffices when any fix exists; fixes also combine monotonically: a set
 * fixes a level iff one of its members does). {@link #requirements(GroupSpec, List, Map, Instant)} is a set cover over
 * cached analyses, with no certificate validation at all.
 *
 * <p>Stateless and thread-safe.
 */
public final class PolicyEngine {

    /** From this API level apps trust installed CAs only when they opt in (network_security_config). */
    public static final int USER_CA_OPT_IN_LEVEL = 24;

    private final AndroidValidator validator;

    private PolicyEngine(AndroidValidator validator) {
        this.validator = validator;
    }

    /** Engine with the default Android validator. */
    public static PolicyEngine create() {
        return new PolicyEngine(AndroidValidator.create());
    }

    // ------------------------------------------------------------------------------------------------ stage 1

    /**
     * Analyses one endpoint against every store. Candidates are the presented certificates, the observation's extra
     * candidates, the tenant anchors and the union of all stores; a candidate is only ever tried when it issued the
     * leaf or a presented certificate reachable from it (no other certificate can end a path), is a CA and is valid at
     * {@code now}. Levels whose stores hold the same relevant certificates share one computation.
     */
    public EndpointAnalysis analyze(EndpointObservation obs, PlatformStores stores,
            Collection<X509Certificate> tenantAnchors, Instant now) {
        return analyze(obs, stores, tenantAnchors, List.of(), now);
    }

    /**
     * As {@link #analyze(EndpointObservation, PlatformStores, Collection, Instant)}, with a pool of candidates shared
     * by the tenant's endpoints: the known intermediates of every endpoint of the tenant and the certificates its
     * groups include. Minimality across endpoints holds only when every certificate that may be delivered is a
     * candidate of every endpoint, so the caller should pass that pool. The result depends on the pool only through
     * certificates whose subject is one of {@link EndpointAnalysis#openIssuers()}: re-analyse an endpoint when such a
     * certificate joins or leaves the pool.
     */
    public EndpointAnalysis analyze(EndpointObservation obs, PlatformStores stores,
            Collection<X509Certificate> tenantAnchors, Collection<X509Certificate> sharedCandidates, Instant now) {
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
            return new EndpointAnalysis(obs.endpointId(), levels, named, Set.of());
        }
        Set<String> openIssuers = new TreeSet<>();
        new Analysis(obs, stores, tenantAnchors == null ? List.of() : tenantAnchors,
                sharedCandidates == null ? List.of() : sharedCandidates, now, levels, named, openIssuers).run();
        return new EndpointAnalysis(obs.endpointId(), levels, named, openIssuers);
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

    /** Candidate with its preference key: tier (0 missing or presented root, 1 presented intermediate), depth. */
    private record Candidate(X509Certificate cert, String sha, int tier, int depth, CertificateRole role,
            ReasonCode reason, boolean presented, boolean usable) {
    }

    private static final Comparator<Candidate> PREFERENCE = Comparator.comparingInt(Candidate::tier)
            .thenComparingInt(Candidate::depth)
            .thenComparing(Candidate::role)
            .thenComparing(Candidate::sha);

    /** State of one endpoint analysis. */
    private final class Analysis {
        private final EndpointObservation obs;
        private final PlatformStores stores;
        private final Collection<X509Certificate> tenantAnchors;
        private final Collection<X509Certificate> shared;
        private final Set<String> openIssuers;
        private final Instant now;
        private final SortedMap<Integer, LevelOutcome> out;
        private final Map<String, KnownCertificate> named;
        private final X509Certificate leaf;
        private final Map<X509Certificate, String> shaCache = new HashMap<>();

        Analysis(EndpointObservation obs, PlatformStores stores, Collection<X509Certificate> tenantAnchors,
                Collection<X509Certificate> shared, Instant now, SortedMap<Integer, LevelOutcome> out,
                Map<String, KnownCertificate> named, Set<String> openIssuers) {
            this.obs = obs;
            this.shared = shared;
            this.openIssuers = openIssuers;
            this.stores = stores;
            this.tenantAnchors = tenantAnchors;
            this.now = now;
            this.out = out;
            this.named = named;
            this.leaf = obs.presented().get(0);
        }

        private String sha(X509Certificate c) {
            return shaCache.computeIfAbsent(c, stores::sha);
        }

        void run() {
            List<X509Certificate> presented = obs.presented();
            Set<String> presentedSha = new HashSet<>();
            for (X509Certificate c : presented) {
                if (c != null) {
                    presentedSha.add(sha(c));
                }
            }
            Set<String> tenantSha = new HashSet<>();
            for (X509Certificate c : tenantAnchors) {
                if (c != null) {
                    tenantSha.add(sha(c));
                }
            }
            Map<X509Certificate, Integer> reachable = reachable(presented);
            // Certificates that could end a path: they issued the leaf or a reachable presented certificate.
            Map<String, Candidate> relevant = new TreeMap<>();
            Set<String> leafItself = new HashSet<>();
            Map<X500Principal, List<X509Certificate>> local = new HashMap<>();
            for (Collection<X509Certificate> src : List.of(presented, obs.extraCandidates(), tenantAnchors, shared)) {
                for (X509Certificate c : src) {
                    if (c != null) {
                        local.computeIfAbsent(c.getSubjectX500Principal(), k -> new ArrayList<>()).add(c);
                    }
                }
            }
            for (Map.Entry<X509Certificate, Integer> e : reachable.entrySet()) {
                X509Certificate x = e.getKey();
                if (Certificates.isSelfIssued(x)) {
                    continue; // the path builder never looks for an issuer above a self-issued certificate
                }
                X500Principal issuer = x.getIssuerX500Principal();
                openIssuers.add(issuer.getName(X500Principal.RFC2253));
                List<X509Certificate> byName = new ArrayList<>(local.getOrDefault(issuer, List.of()));
                byName.addAll(stores.bySubject(issuer));
                for (X509Certificate c : byName) {
                    String sha = sha(c);
                    Candidate prev = relevant.get(sha);
                    if (c.equals(x) || (prev != null && prev.depth() <= e.getValue())
                            || !Certificates.verifies(x, c.getPublicKey())) {
                        continue;
                    }
                    boolean isPresented = presentedSha.contains(sha);
                    boolean selfSigned = Certificates.isSelfSigned(c);
                    CertificateRole role = selfSigned ? CertificateRole.ROOT : CertificateRole.INTERMEDIATE;
                    ReasonCode reason = tenantSha.contains(sha) && !stores.inAnyStore(sha) ? ReasonCode.PRIVATE_ANCHOR
                            : selfSigned ? ReasonCode.UNTRUSTED_ROOT : ReasonCode.MISSING_INTERMEDIATE;
                    boolean usable = isCa(c) && Certificates.isValidAt(c, now);
                    int tier = isPresented && !selfSigned ? 1 : 0;
                    relevant.put(sha, new Candidate(c, sha, tier, e.getValue(), role, reason, isPresented, usable));
                }
            }
            // Conscrypt first checks whether the leaf itself is an anchor: store copies of it stay relevant.
            for (X509Certificate c : stores.bySubject(leaf.getSubjectX500Principal())) {
                if (Certificates.sameSubjectAndKey(leaf, c)) {
                    leafItself.add(sha(c));
                }
            }
            List<Candidate> ordered = new ArrayList<>(relevant.values());
            ordered.sort(PREFERENCE);
            List<X509Certificate> storeRelevantUniverse = new ArrayList<>();
            for (X509Certificate c : stores.union()) {
                String sha = sha(c);
                if (relevant.containsKey(sha) || leafItself.contains(sha)) {
                    storeRelevantUniverse.add(c);
                }
            }
            Map<List<String>, LevelOutcome> shared = new HashMap<>();
            for (int level : stores.apiLevels()) {
                List<X509Certificate> anchors = new ArrayList<>();
                List<String> key = new ArrayList<>();
                for (X509Certificate c : storeRelevantUniverse) {
                    String sha = sha(c);
                    if (stores.contains(level, sha)) {
                        anchors.add(c);
                        key.add(sha);
                    }
                }
                LevelOutcome outcome = shared.get(key);
                if (outcome == null) {
                    outcome = level(anchors, new HashSet<>(key), ordered);
                    shared.put(key, outcome);
                }
                out.put(level, outcome);
            }
        }

        /** The leaf and every presented certificate reachable from it by issuance, with its distance from the leaf. */
        private Map<X509Certificate, Integer> reachable(List<X509Certificate> presented) {
            Map<X509Certificate, Integer> depth = new LinkedHashMap<>();
            depth.put(leaf, 0);
            Deque<X509Certificate> queue = new ArrayDeque<>();
            queue.add(leaf);
            while (!queue.isEmpty()) {
                X509Certificate x = queue.poll();
                if (Certificates.isSelfIssued(x)) {
                    continue;
                }
                for (int i = 1; i < presented.size(); i++) {
                    X509Certificate c = presented.get(i);
                    if (c != null && !depth.containsKey(c) && Certificates.isIssuedBy(x, c)) {
                        depth.put(c, depth.get(x) + 1);
                        queue.add(c);
                    }
                }
            }
            return depth;
        }

        private LevelOutcome level(List<X509Certificate> storeAnchors, Set<String> storeSha, List<Candidate> ordered) {
            List<X509Certificate> presented = obs.presented();
            ValidationResult base = validator.validate(presented, storeAnchors, obs.hostname(), now);
            if (base.trusted()) {
                return LevelOutcome.TRUSTED;
            }
            if (now.isAfter(leaf.getNotAfter().toInstant())) {
                return LevelOutcome.unresolved(UnresolvedCode.EXPIRED_LEAF,
                        "leaf " + subject(leaf) + " expired at " + leaf.getNotAfter().toInstant(), sha(leaf));
            }
            if (now.isBefore(leaf.getNotBefore().toInstant())) {
                return LevelOutcome.unresolved(UnresolvedCode.NOT_YET_VALID_LEAF,
                        "leaf " + subject(leaf) + " is not valid before " + leaf.getNotBefore().toInstant(),
                        sha(leaf));
            }
            if (base.failure() == ValidationFailure.HOSTNAME_MISMATCH
                    || (obs.hostname() != null && !HostnameMatcher.matches(leaf, obs.hostname()))) {
                return LevelOutcome.unresolved(UnresolvedCode.HOSTNAME_MISMATCH,
                        "leaf " + subject(leaf) + " is not valid for '" + obs.hostname() + "'", sha(leaf));
            }
            List<Fix> fixes = new ArrayList<>();
            List<ValidationResult> failures = new ArrayList<>();
            failures.add(base);
            for (Candidate c : ordered) {
                if (!c.usable() || storeSha.contains(c.sha())) {
                    continue;
                }
                ValidationResult r = validator.validate(presented, with(storeAnchors, c.cert()), null, now);
                if (r.trusted()) {
                    fixes.add(new Fix(c.sha(), c.reason(), c.role(), c.presented()));
                    named.computeIfAbsent(c.sha(), k -> KnownCertificate.of(c.cert(), c.role()));
                } else {
                    failures.add(r);
                }
            }
            if (!fixes.isEmpty()) {
                return LevelOutcome.fixable(fixes);
            }
            return classify(storeAnchors, storeSha, ordered, failures);
        }

        private LevelOutcome classify(List<X509Certificate> storeAnchors, Set<String> storeSha,
                List<Candidate> ordered, List<ValidationResult> failures) {
            for (Candidate c : ordered) {
                if (c.usable() || storeSha.contains(c.sha()) || !isCa(c.cert())) {
                    continue;
                }
                // An expired CA certificate would end the path (anchors are not time-checked) but is never delivered.
                if (validator.validate(obs.presented(), with(storeAnchors, c.cert()), null, now).trusted()) {
                    boolean expired = now.isAfter(c.cert().getNotAfter().toInstant());
                    return LevelOutcome.unresolved(UnresolvedCode.EXPIRED_CHAIN, "needed certificate "
                            + subject(c.cert()) + (expired ? " expired at " + c.cert().getNotAfter().toInstant()
                                    : " is not valid before " + c.cert().getNotBefore().toInstant()), c.sha());
                }
            }
            for (ValidationResult r : failures) {
                if (r.failure() == ValidationFailure.EXPIRED || r.failure() == ValidationFailure.NOT_YET_VALID) {
                    return LevelOutcome.unresolved(UnresolvedCode.EXPIRED_CHAIN, r.failure() + ": " + r.detail(),
                            null);
                }
            }
            for (ValidationResult r : failures) {
                if (r.failure() != ValidationFailure.NO_PATH) {
                    return LevelOutcome.unresolved(UnresolvedCode.INVALID_CHAIN, r.failure() + ": " + r.detail(),
                            null);
                }
            }
            return LevelOutcome.unresolved(UnresolvedCode.NO_PATH, failures.get(0).detail()
                    + "; no known, AIA-fetched, tenant or platform certificate completes the path", null);
        }
    }

    /**
     * A certificate that may be delivered as an anchor: basicConstraints CA=true and, when keyUsage is present,
     * keyCertSign (a CA certificate whose own key may not sign certificates is refused even though Android would not
     * check it once it is an anchor).
     */
    static boolean isCa(X509Certificate c) {
        if (c.getBasicConstraints() < 0) {
            return false;
        }
        boolean[] ku = c.getKeyUsage();
        return ku == null || (ku.length > 5 && ku[5]);
    }

    private static List<X509Certificate> with(List<X509Certificate> base, X509Certificate extra) {
        List<X509Certificate> l = new ArrayList<>(base.size() + 1);
        l.addAll(base);
        l.add(extra);
        return l;
    }

    static String subject(X509Certificate c) {
        return "'" + c.getSubjectX500Principal().getName(X500Principal.RFC2253) + "'";
    }

    // ------------------------------------------------------------------------------------------------ stage 2

    /**
     * Analyses the group's endpoints and covers them: {@link #analyze} for each observation the group covers (the
     * shared candidate pool being every observation's extra candidates plus the includes), then
     * {@link #requirements(GroupSpec, List, Map, Instant)}.
     */
    public Requirements requirements(GroupSpec group, List<EndpointObservation> observations, PlatformStores stores,
            Collection<X509Certificate> tenantAnchors, Map<String, X509Certificate> includes, Instant now) {
        List<X509Certificate> shared = new ArrayList<>();
        for (EndpointObservation o : observations) {
            shared.addAll(o.extraCandidates());
        }
        if (includes != null) {
            shared.addAll(includes.values());
        }
        List<EndpointAnalysis> analyses = new ArrayList<>();
        for (EndpointObservation o : observations) {
            if (group.covers(o.endpointId())) {
                analyses.add(analyze(o, stores, tenantAnchors, shared, now));
            }
        }
        return cover(group, analyses, includes, now, stores.apiLevels());
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
    public Requirements requirements(GroupSpec group, List<EndpointAnalysis> analyses,
            Map<String, X509Certificate> includes, Instant now) {
        Set<Integer> known = new TreeSet<>();
        for (EndpointAnalysis a : analyses) {
            known.addAll(a.levels().keySet());
        }
        return cover(group, analyses, includes, now, known);
    }

    private Requirements cover(GroupSpec group, List<EndpointAnalysis> analyses, Map<String, X509Certificate> includes,
            Instant now, Collection<Integer> knownLevels) {
        return new Cover(group, analyses, includes == null ? Map.of() : includes, now, knownLevels).run();
    }

    /** A class of (endpoint, level) pairs with the same allowed fixes: covered together. */
    private static final class PairClass {
        final UUID endpoint;
        final List<String> allowed;
        int weight;

        PairClass(UUID endpoint, List<String> allowed) {
            this.endpoint = endpoint;
            this.allowed = allowed;
        }
    }

    /** One stage-2 computation. */
    private static final class Cover {
        private final GroupSpec group;
        private final List<EndpointAnalysis> analyses;
        private final Map<String, X509Certificate> includes;
        private final Instant now;
        private final List<Integer> groupLevels = new ArrayList<>();
        private final Map<String, KnownCertificate> certs = new HashMap<>();
        private final List<Advice> advice = new ArrayList<>();
        /** (endpoint, code, detail, sha) -> levels. */
        private final Map<List<Object>, List<Integer>> unresolved = new LinkedHashMap<>();

        Cover(GroupSpec group, List<EndpointAnalysis> analyses, Map<String, X509Certificate> includes, Instant now,
                Collection<Integer> knownLevels) {
            this.group = group;
            List<EndpointAnalysis> sorted = new ArrayList<>();
            Set<UUID> seen = new HashSet<>();
            for (EndpointAnalysis a : analyses) {
                if (group.covers(a.endpointId()) && seen.add(a.endpointId())) {
                    sorted.add(a);
                }
            }
            sorted.sort(Comparator.comparing(EndpointAnalysis::endpointId));
            this.analyses = sorted;
            this.includes = includes;
            this.now = now;
            for (int l : new TreeSet<>(knownLevels)) {
                if (l >= group.minApiLevel() && l <= group.maxApiLevel()) {
                    groupLevels.add(l);
                }
            }
        }

        Requirements run() {
            if (groupLevels.isEmpty()) {
                advice.add(new Advice(null, AdviceCode.NO_STORE_FOR_RANGE, null, "no platform store is known for API "
                        + group.minApiLevel() + ".." + group.maxApiLevel() + ": nothing can be computed"));
            }
            Set<String> included = acceptedIncludes();
            Set<UUID> analysed = new HashSet<>();
            // Pair classes keyed by endpoint + allowed fixes.
            Map<List<Object>, PairClass> classes = new LinkedHashMap<>();
            for (EndpointAnalysis a : analyses) {
                analysed.add(a.endpointId());
                certs.putAll(a.certificates());
                List<Integer> missing = new ArrayList<>(groupLevels);
                for (EndpointAnalysis.Run run : a.runs()) {
                    List<Integer> levels = inRange(run.levels());
                    if (levels.isEmpty()) {
                        continue;
                    }
                    missing.removeAll(levels);
                    LevelOutcome o = run.outcome();
                    switch (o.verdict()) {
                        case TRUSTED -> {
                        }
                        case UNRESOLVED -> addUnresolved(a.endpointId(), o.unresolvedCode(), o.detail(),
                                o.sha256OrNull(), levels);
                        case FIXABLE -> {
                            List<String> allowed = new ArrayList<>();
                            for (Fix f : o.fixes()) {
                                if (!group.excludeSha256().contains(f.sha256())) {
                                    allowed.add(f.sha256());
                                }
                            }
                            if (allowed.isEmpty()) {
                                Fix first = o.fixes().get(0);
                                StringBuilder d = new StringBuilder("only excluded certificate(s) would fix it:");
                                for (Fix f : o.fixes()) {
                                    d.append(' ').append(f.sha256()).append(" '")
                                            .append(a.certificates().get(f.sha256()).subject()).append('\'');
                                }
                                addUnresolved(a.endpointId(), UnresolvedCode.EXCLUDED_CERTIFICATE_NEEDED,
                                        d.toString(), first.sha256(), levels);
                            } else if (allowed.stream().noneMatch(included::contains)) {
                                classes.computeIfAbsent(List.of(a.endpointId(), allowed),
                                        k -> new PairClass(a.endpointId(), allowed)).weight += levels.size();
                            }
                        }
                        default -> throw new IllegalStateException();
                    }
                }
                if (!missing.isEmpty()) {
                    addUnresolved(a.endpointId(), UnresolvedCode.NOT_SCANNED,
                            "endpoint not analysed for this API level", null, missing);
                }
            }
            for (UUID e : new TreeSet<>(group.endpointIds())) {
                if (!analysed.contains(e) && !groupLevels.isEmpty()) {
                    addUnresolved(e, UnresolvedCode.NOT_SCANNED, "no observation of this endpoint", null,
                            groupLevels);
                }
            }
            Set<String> chosen = greedy(new ArrayList<>(classes.values()));
            Set<String> delivered = new TreeSet<>(chosen);
            delivered.addAll(included);
            return new Requirements(certificates(delivered, included), unresolvedList(), sortedAdvice());
        }

        private Set<String> acceptedIncludes() {
            Set<String> accepted = new TreeSet<>();
            for (String sha : new TreeSet<>(group.includeSha256())) {
                X509Certificate c = includes.get(sha);
                String why = null;
                if (c == null) {
                    why = "certificate not supplied";
                } else if (!Sha256.of(c).equals(sha)) {
                    why = "supplied certificate has another fingerprint";
                } else if (group.excludeSha256().contains(sha)) {
                    why = "certificate is also excluded (exclude wins)";
                } else if (!isCa(c)) {
                    why = subject(c) + " is not a CA certificate (basicConstraints CA=false or no keyCertSign)";
                } else if (now.isAfter(c.getNotAfter().toInstant())) {
                    why = subject(c) + " expired at " + c.getNotAfter().toInstant();
                } else if (now.isBefore(c.getNotBefore().toInstant())) {
                    why = subject(c) + " is not valid before " + c.getNotBefore().toInstant();
                }
                if (why != null) {
                    advice.add(new Advice(null, AdviceCode.INCLUDE_REFUSED, sha, "include refused: " + why));
                } else {
                    accepted.add(sha);
                    certs.put(sha, KnownCertificate.of(c));
                }
            }
            return accepted;
        }

        private List<Integer> inRange(int[] levels) {
            List<Integer> out = new ArrayList<>(levels.length);
            for (int l : levels) {
                if (l >= group.minApiLevel() && l <= group.maxApiLevel()) {
                    out.add(l);
                }
            }
            return out;
        }

        private void addUnresolved(UUID endpoint, UnresolvedCode code, String detail, String sha,
                List<Integer> levels) {
            List<Object> key = new ArrayList<>();
            key.add(endpoint);
            key.add(code);
            key.add(detail == null ? "" : detail);
            key.add(sha == null ? "" : sha);
            unresolved.computeIfAbsent(key, k -> new ArrayList<>()).addAll(levels);
        }

        /**
         * Deterministic greedy cover (largest uncovered weight first; ties: best preference rank of the certificate in
         * the fix lists of the pairs it covers, then sha256), then pruning in pick order of every certificate whose
         * pairs are all covered by another chosen one.
         */
        private Set<String> greedy(List<PairClass> classes) {
            Map<String, List<PairClass>> coverage = new TreeMap<>();
            Map<String, Integer> rank = new HashMap<>();
            for (PairClass pc : classes) {
                for (int i = 0; i < pc.allowed.size(); i++) {
                    String sha = pc.allowed.get(i);
                    coverage.computeIfAbsent(sha, k -> new ArrayList<>()).add(pc);
                    rank.merge(sha, i, Math::min);
                }
            }
            Set<PairClass> uncovered = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            uncovered.addAll(classes);
            List<String> picks = new ArrayList<>();
            while (!uncovered.isEmpty()) {
                String best = null;
                int bestWeight = 0;
                for (Map.Entry<String, List<PairClass>> e : coverage.entrySet()) {
                    int w = 0;
                    for (PairClass pc : e.getValue()) {
                        if (uncovered.contains(pc)) {
                            w += pc.weight;
                        }
                    }
                    if (w == 0) {
                        continue;
                    }
                    if (best == null || w > bestWeight
                            || (w == bestWeight && rank.get(e.getKey()) < rank.get(best))) {
                        best = e.getKey(); // TreeMap iteration: equal weight and rank keeps the lower sha256
                        bestWeight = w;
                    }
                }
                picks.add(best);
                coverage.get(best).forEach(uncovered::remove);
            }
            Map<PairClass, Integer> count = new java.util.IdentityHashMap<>();
            for (String sha : picks) {
                for (PairClass pc : coverage.get(sha)) {
                    count.merge(pc, 1, Integer::sum);
                }
            }
            Set<String> kept = new TreeSet<>(picks);
            for (String sha : picks) {
                boolean redundant = true;
                for (PairClass pc : coverage.get(sha)) {
                    if (count.get(pc) < 2) {
                        redundant = false;
                        break;
                    }
                }
                if (redundant) {
                    kept.remove(sha);
                    for (PairClass pc : coverage.get(sha)) {
                        count.merge(pc, -1, Integer::sum);
                    }
                }
            }
            return kept;
        }

        private List<RequiredCertificate> certificates(Set<String> delivered, Set<String> included) {
            // sha -> endpoint -> code -> levels
            Map<String, Map<UUID, Map<ReasonCode, TreeSet<Integer>>>> reasons = new HashMap<>();
            Set<UUID> optIn = new TreeSet<>();
            Map<UUID, Set<String>> sendIntermediate = new TreeMap<>();
            for (EndpointAnalysis a : analyses) {
                for (EndpointAnalysis.Run run : a.runs()) {
                    LevelOutcome o = run.outcome();
                    if (o.verdict() != Verdict.FIXABLE) {
                        continue;
                    }
                    List<Integer> levels = null;
                    for (Fix f : o.fixes()) {
                        if (!delivered.contains(f.sha256())) {
                            continue;
                        }
                        if (levels == null) {
                            levels = inRange(run.levels());
                            if (levels.isEmpty()) {
                                break;
                            }
                        }
                        reasons.computeIfAbsent(f.sha256(), k -> new HashMap<>())
                                .computeIfAbsent(a.endpointId(), k -> new java.util.EnumMap<>(ReasonCode.class))
                                .computeIfAbsent(f.reason(), k -> new TreeSet<>()).addAll(levels);
                        if (levels.get(levels.size() - 1) >= USER_CA_OPT_IN_LEVEL) {
                            optIn.add(a.endpointId());
                        }
                        if (!f.presentedByServer() && f.role() == CertificateRole.INTERMEDIATE) {
                            sendIntermediate.computeIfAbsent(a.endpointId(), k -> new TreeSet<>()).add(f.sha256());
                        }
                    }
                }
            }
            List<RequiredCertificate> out = new ArrayList<>();
            for (String sha : delivered) {
                KnownCertificate c = certs.get(sha);
                List<Reason> rs = new ArrayList<>();
                if (included.contains(sha)) {
                    rs.add(new Reason(null, groupLevels, ReasonCode.INCLUDED_BY_POLICY));
                }
                Map<UUID, Map<ReasonCode, TreeSet<Integer>>> byEndpoint = reasons.getOrDefault(sha, Map.of());
                byEndpoint.keySet().stream().sorted().forEach(e ->
                        byEndpoint.get(e).forEach((code, levels) -> rs.add(new Reason(e, List.copyOf(levels), code))));
                out.add(new RequiredCertificate(sha, c.role(), c.certificate(), c.subject(), c.notAfter(), rs));
            }
            out.sort(Comparator.comparing(RequiredCertificate::role).thenComparing(RequiredCertificate::sha256));
            if (!out.isEmpty()) {
                String scope = group.mode() == ManagementMode.WORK_PROFILE
                        ? " In a work profile only work-profile apps see installed CAs." : "";
                for (UUID e : optIn) {
                    advice.add(new Advice(e, AdviceCode.USER_CA_OPT_IN, null, "from API " + USER_CA_OPT_IN_LEVEL
                            + " apps reaching this endpoint must opt in to user/admin-installed CAs through"
                            + " network_security_config, otherwise the delivered certificates have no effect."
                            + scope));
                }
                if (!included.isEmpty() && group.maxApiLevel() >= USER_CA_OPT_IN_LEVEL) {
                    advice.add(new Advice(null, AdviceCode.USER_CA_OPT_IN, null, "from API " + USER_CA_OPT_IN_LEVEL
                            + " apps trust the included certificates only if they opt in to user/admin-installed"
                            + " CAs through network_security_config." + scope));
                }
                if (group.mode() == ManagementMode.WORK_PROFILE) {
                    advice.add(new Advice(null, AdviceCode.WORK_PROFILE_SCOPE, null, "installed CA certificates are"
                            + " visible to work-profile apps only; personal apps keep failing"));
                }
            }
            sendIntermediate.forEach((e, shas) -> shas.forEach(sha -> advice.add(new Advice(e,
                    AdviceCode.SEND_INTERMEDIATE, sha, "the server does not send intermediate '"
                            + certs.get(sha).subject() + "'; configuring the server to send it is the durable fix,"
                            + " installing it on devices is a workaround"))));
            return out;
        }

        private List<Unresolved> unresolvedList() {
            List<Unresolved> out = new ArrayList<>();
            unresolved.forEach((k, levels) -> out.add(new Unresolved((UUID) k.get(0),
                    levels.stream().sorted().toList(), (UnresolvedCode) k.get(1), (String) k.get(2),
                    ((String) k.get(3)).isEmpty() ? null : (String) k.get(3))));
            out.sort(Comparator.comparing(Unresolved::endpointId)
                    .thenComparing(Unresolved::code)
                    .thenComparing(u -> u.apiLevels().isEmpty() ? 0 : u.apiLevels().get(0))
                    .thenComparing(Unresolved::detail));
            return out;
        }

        private List<Advice> sortedAdvice() {
            List<Advice> out = new ArrayList<>(advice);
            out.sort(Comparator.comparing(Advice::code)
                    .thenComparing(Advice::endpointId, Comparator.nullsFirst(Comparator.naturalOrder()))
                    .thenComparing(a -> a.sha256OrNull() == null ? "" : a.sha256OrNull())
                    .thenComparing(Advice::detail));
            return out;
        }
    }
}
