package org.trustfleet.pki;

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
import javax.security.auth.x500.X500Principal;

/**
 * The one answer to "which certificates would make API level L accept this endpoint?", used by the scan (its
 * per-level {@code missing}) and by the policy engine (the fixes its set cover chooses from), so the two cannot
 * disagree.
 *
 * <p>An installed CA certificate is an anchor, so one certificate always suffices when any installation fixes a level;
 * fixes also combine monotonically (a set fixes a level iff one of its members does). For each level the finder
 * therefore lists every single certificate that fixes it, most preferred first: a missing certificate or a root before
 * a presented intermediate, then closest to the leaf, then roots before other CA certificates, then by fingerprint. Only
 * certificates that issued the leaf or a presented certificate reachable from it are ever tried (no other can end a
 * path), and only CA certificates ({@link Certificates#isCaCertificate}) valid at {@code now} are offered.
 * Levels whose stores hold the same relevant certificates share one computation and one {@link LevelFixes} instance.
 *
 * <p>Stateless and thread-safe.
 */
public final class FixFinder {

    private final AndroidValidator validator;

    private FixFinder(AndroidValidator validator) {
        this.validator = validator;
    }

    /** Finder with the default Android validator. */
    public static FixFinder create() {
        return new FixFinder(AndroidValidator.create());
    }

    /**
     * The verdict of each known state of a level on the chain as presented (a stock device in that state), in the
     * order of {@link StoreIndex#states}: the level's own verdict holds only when all of them trust the chain.
     */
    public List<ValidationResult> stateVerdicts(List<X509Certificate> presented, String hostnameOrNull,
            StoreIndex stores, int apiLevel, Instant now) {
        List<ValidationResult> out = new java.util.ArrayList<>();
        for (StoreIndex.State state : stores.states(apiLevel)) {
            out.add(validator.validate(presented, state.certificates(), hostnameOrNull, now));
        }
        return List.copyOf(out);
    }

    /** Whether a level is trusted as presented, fixable by installing one certificate, or not fixable that way. */
    public enum Kind { TRUSTED, FIXABLE, UNFIXABLE }

    /** Why no installation fixes a level. */
    public enum Blocker {
        /** The leaf has expired. */
        EXPIRED_LEAF,
        /** The leaf is not valid yet. */
        NOT_YET_VALID_LEAF,
        /** The leaf does not name the host. */
        HOSTNAME_MISMATCH,
        /** A certificate the path needs (presented, or the only one that would complete it) is out of its validity. */
        EXPIRED_CHAIN,
        /** The path is broken in a way an anchor cannot repair (signature, constraints, key usage, ...). */
        INVALID_CHAIN,
        /** No candidate certificate completes the path. */
        NO_PATH
    }

    /**
     * One certificate whose installation alone makes the endpoint validate on a level.
     *
     * @param root          self-signed (installed as a root) rather than an intermediate
     * @param presented     the server already sends it (it becomes an anchor above which the path failed)
     * @param privateAnchor a tenant anchor that no platform store holds
     */
    public record CertificateFix(X509Certificate certificate, String sha256, boolean root, boolean presented,
            boolean privateAnchor) {
    }

    /**
     * The answer for one level.
     *
     * @param verdict the chain as presented, with the host name, against the level's store
     * @param fixes   for {@link Kind#FIXABLE}: every single-certificate fix, most preferred first
     * @param blocker for {@link Kind#UNFIXABLE}: why
     * @param detail  for unfixable: a sentence for people
     * @param sha256OrNull for unfixable: the certificate concerned, if one (e.g. the expired intermediate)
     */
    public record LevelFixes(Kind kind, ValidationResult verdict, List<CertificateFix> fixes, Blocker blocker,
            String detail, String sha256OrNull) {

        public LevelFixes {
            fixes = List.copyOf(fixes);
        }

        /** The preferred fix as a list of fingerprints: what a device of this level must hold (empty if none). */
        public List<String> missing() {
            return fixes.isEmpty() ? List.of() : List.of(fixes.get(0).sha256());
        }
    }

    /**
     * The answer for every level of {@code stores}.
     *
     * @param openIssuers RFC 2253 issuer names above the leaf and the presented certificates reachable from it: only
     *                    certificates with one of these subjects can ever be a fix
     */
    public record EndpointFixes(SortedMap<Integer, LevelFixes> levels, Set<String> openIssuers) {
    }

    /**
     * Finds, for every level of {@code stores}, whether the presented chain validates and which single certificates
     * would make it validate.
     *
     * @param presented      the chain exactly as the server sent it, leaf first (non-empty)
     * @param hostnameOrNull the name the device verifies, or null to skip the check
     * @param tenantAnchors  the tenant's private CAs (also candidates; marked {@code privateAnchor})
     * @param candidates     further certificates that may be delivered: the completed path, known intermediates,
     *                       includes; the store certificates are always candidates
     */
    public EndpointFixes find(List<X509Certificate> presented, String hostnameOrNull, StoreIndex stores,
            Collection<X509Certificate> tenantAnchors, Collection<X509Certificate> candidates, Instant now) {
        Objects.requireNonNull(stores, "stores");
        return find(presented, hostnameOrNull, stores, tenantAnchors, candidates, now, stores.memo());
    }

    /**
     * {@link #find(List, String, StoreIndex, Collection, Collection, Instant)} within the caller's computation: a
     * caller that also assesses the endpoint's server chains ({@link ServerChainAdvisor#assess(List, Collection,
     * StoreIndex, String, Instant, ComputationMemo)}) passes both the same memo, so that the paths both judge are
     * checked once.
     */
    public EndpointFixes find(List<X509Certificate> presented, String hostnameOrNull, StoreIndex stores,
            Collection<X509Certificate> tenantAnchors, Collection<X509Certificate> candidates, Instant now,
            ComputationMemo memo) {
        Objects.requireNonNull(stores, "stores");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(memo, "memo");
        if (presented == null || presented.isEmpty() || presented.get(0) == null) {
            throw new IllegalArgumentException("no certificate presented");
        }
        return new Search(presented, hostnameOrNull, stores, tenantAnchors == null ? List.of() : tenantAnchors,
                candidates == null ? List.of() : candidates, now, memo).run();
    }

    /** Candidate with its preference key: tier (0 missing or presented root, 1 presented intermediate), depth. */
    private record Candidate(X509Certificate cert, String sha, int tier, int depth, boolean root, boolean presented,
            boolean privateAnchor, boolean usable) {

        CertificateFix fix() {
            return new CertificateFix(cert, sha, root, presented, privateAnchor);
        }
    }

    private static final Comparator<Candidate> PREFERENCE = Comparator.comparingInt(Candidate::tier)
            .thenComparingInt(Candidate::depth)
            .thenComparing(c -> !c.root())
            .thenComparing(Candidate::sha);

    /** State of one search. */
    private final class Search {
        private final List<X509Certificate> presented;
        private final String hostname;
        private final StoreIndex stores;
        private final Collection<X509Certificate> tenantAnchors;
        private final Collection<X509Certificate> candidates;
        private final Instant now;
        private final X509Certificate leaf;
        private final ComputationMemo memo;

        Search(List<X509Certificate> presented, String hostname, StoreIndex stores,
                Collection<X509Certificate> tenantAnchors, Collection<X509Certificate> candidates, Instant now,
                ComputationMemo memo) {
            this.presented = presented;
            this.hostname = hostname;
            this.stores = stores;
            this.tenantAnchors = tenantAnchors;
            this.candidates = candidates;
            this.now = now;
            this.leaf = presented.get(0);
            this.memo = memo;
        }

        private String sha(X509Certificate c) {
            return memo.of(c);
        }

        EndpointFixes run() {
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
            Map<X509Certificate, Integer> reachable = reachable();
            // Certificates that could end a path: they issued the leaf or a reachable presented certificate.
            Map<String, Candidate> relevant = new TreeMap<>();
            Set<String> openIssuers = new TreeSet<>();
            Map<X500Principal, List<X509Certificate>> local = new HashMap<>();
            for (Collection<X509Certificate> src : List.of(presented, tenantAnchors, candidates)) {
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
                    if (c.equals(x) || (prev != null && prev.depth() <= e.getValue()) || !memo.verifies(x, c)) {
                        continue;
                    }
                    boolean isPresented = presentedSha.contains(sha);
                    boolean selfSigned = Certificates.isSelfSigned(c);
                    boolean privateAnchor = tenantSha.contains(sha) && !stores.inAnyStore(sha);
                    boolean usable = Certificates.isCaCertificate(c) && Certificates.isValidAt(c, now);
                    int tier = isPresented && !selfSigned ? 1 : 0;
                    relevant.put(sha, new Candidate(c, sha, tier, e.getValue(), selfSigned, isPresented,
                            privateAnchor, usable));
                }
            }
            // Conscrypt first checks whether the leaf itself is an anchor: store copies of it stay relevant.
            Set<String> leafItself = new HashSet<>();
            for (X509Certificate c : stores.bySubject(leaf.getSubjectX500Principal())) {
                if (Certificates.sameSubjectAndKey(leaf, c)) {
                    leafItself.add(sha(c));
                }
            }
            List<Candidate> ordered = new ArrayList<>(relevant.values());
            ordered.sort(PREFERENCE);
            // the only certificates a level's store can hold that matter here: the relevant ones and store copies of
            // the leaf (a walk of every store's union per endpoint was a third of this search)
            Map<String, X509Certificate> storeRelevantUniverse = new TreeMap<>();
            for (Candidate c : relevant.values()) {
                if (stores.inAnyStore(c.sha())) {
                    storeRelevantUniverse.put(c.sha(), c.cert());
                }
            }
            for (X509Certificate c : stores.bySubject(leaf.getSubjectX500Principal())) {
                if (leafItself.contains(sha(c))) {
                    storeRelevantUniverse.putIfAbsent(sha(c), c);
                }
            }
            SortedMap<Integer, LevelFixes> out = new TreeMap<>();
            // a level's answer depends on its store only through the relevant anchors it holds: one computation each
            Map<Set<String>, LevelFixes> byAnchors = new HashMap<>();
            for (int level : stores.apiLevels()) {
                List<X509Certificate> anchors = new ArrayList<>();
                Set<String> key = new TreeSet<>();
                for (Map.Entry<String, X509Certificate> c : storeRelevantUniverse.entrySet()) {
                    if (stores.contains(level, c.getKey())) {
                        anchors.add(c.getValue());
                        key.add(c.getKey());
                    }
                }
                LevelFixes fixes = byAnchors.get(key);
                if (fixes == null) {
                    fixes = level(anchors, key, ordered);
                    byAnchors.put(key, fixes);
                }
                out.put(level, fixes);
            }
            return new EndpointFixes(out, openIssuers);
        }

        /** The leaf and every presented certificate reachable from it by issuance, with its distance from the leaf. */
        private Map<X509Certificate, Integer> reachable() {
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
                    if (c != null && !depth.containsKey(c) && memo.isIssuedBy(x, c)) {
                        depth.put(c, depth.get(x) + 1);
                        queue.add(c);
                    }
                }
            }
            return depth;
        }

        private LevelFixes level(List<X509Certificate> storeAnchors, Set<String> storeSha, List<Candidate> ordered) {
            ValidationResult base = validator.validate(presented, storeAnchors, hostname, now, memo);
            if (base.trusted()) {
                return new LevelFixes(Kind.TRUSTED, base, List.of(), null, "trusted", null);
            }
            if (now.isAfter(leaf.getNotAfter().toInstant())) {
                return unfixable(base, Blocker.EXPIRED_LEAF,
                        "leaf " + subject(leaf) + " expired at " + leaf.getNotAfter().toInstant(), sha(leaf));
            }
            if (now.isBefore(leaf.getNotBefore().toInstant())) {
                return unfixable(base, Blocker.NOT_YET_VALID_LEAF,
                        "leaf " + subject(leaf) + " is not valid before " + leaf.getNotBefore().toInstant(),
                        sha(leaf));
            }
            if (base.failure() == ValidationFailure.HOSTNAME_MISMATCH
                    || (hostname != null && !HostnameMatcher.matches(leaf, hostname))) {
                return unfixable(base, Blocker.HOSTNAME_MISMATCH,
                        "leaf " + subject(leaf) + " is not valid for '" + hostname + "'", sha(leaf));
            }
            List<CertificateFix> fixes = new ArrayList<>();
            List<ValidationResult> failures = new ArrayList<>();
            failures.add(base);
            for (Candidate c : ordered) {
                if (!c.usable() || storeSha.contains(c.sha())) {
                    continue;
                }
                // Installed certificates are anchors, but the device still only sees what the server presents.
                ValidationResult r = validator.validate(presented, with(storeAnchors, c.cert()), null, now, memo);
                if (r.trusted()) {
                    fixes.add(c.fix());
                } else {
                    failures.add(r);
                }
            }
            if (!fixes.isEmpty()) {
                return new LevelFixes(Kind.FIXABLE, base, fixes, null, null, null);
            }
            return classify(base, storeAnchors, storeSha, ordered, failures);
        }

        private LevelFixes classify(ValidationResult base, List<X509Certificate> storeAnchors, Set<String> storeSha,
                List<Candidate> ordered, List<ValidationResult> failures) {
            for (Candidate c : ordered) {
                if (c.usable() || storeSha.contains(c.sha()) || !Certificates.isCaCertificate(c.cert())) {
                    continue;
                }
                // An expired CA certificate would end the path (anchors are not time-checked) but is never delivered.
                if (validator.validate(presented, with(storeAnchors, c.cert()), null, now, memo).trusted()) {
                    boolean expired = now.isAfter(c.cert().getNotAfter().toInstant());
                    return unfixable(base, Blocker.EXPIRED_CHAIN, "needed certificate " + subject(c.cert())
                            + (expired ? " expired at " + c.cert().getNotAfter().toInstant()
                                    : " is not valid before " + c.cert().getNotBefore().toInstant()), c.sha());
                }
            }
            for (ValidationResult r : failures) {
                if (r.failure() == ValidationFailure.EXPIRED || r.failure() == ValidationFailure.NOT_YET_VALID) {
                    return unfixable(base, Blocker.EXPIRED_CHAIN, r.failure() + ": " + r.detail(), null);
                }
            }
            for (ValidationResult r : failures) {
                if (r.failure() != ValidationFailure.NO_PATH) {
                    return unfixable(base, Blocker.INVALID_CHAIN, r.failure() + ": " + r.detail(), null);
                }
            }
            return unfixable(base, Blocker.NO_PATH, failures.get(0).detail()
                    + "; no known, AIA-fetched, tenant or platform certificate completes the path", null);
        }
    }

    private static LevelFixes unfixable(ValidationResult base, Blocker blocker, String detail, String sha) {
        return new LevelFixes(Kind.UNFIXABLE, base, List.of(), blocker, detail, sha);
    }

    private static List<X509Certificate> with(List<X509Certificate> base, X509Certificate extra) {
        List<X509Certificate> l = new ArrayList<>(base.size() + 1);
        l.addAll(base);
        l.add(extra);
        return l;
    }

    private static String subject(X509Certificate c) {
        return "'" + c.getSubjectX500Principal().getName(X500Principal.RFC2253) + "'";
    }
}
