package org.trustfleet.scan;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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
import javax.security.auth.x500.X500Principal;
import org.trustfleet.pki.AndroidValidator;
import org.trustfleet.pki.Certificates;
import org.trustfleet.pki.ChainAnalyzer;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.FindingCode;
import org.trustfleet.pki.PathBuilder;
import org.trustfleet.pki.Sha256;
import org.trustfleet.pki.ValidationResult;
import org.trustfleet.truststore.PlatformStore;

/**
 * Judges a presented chain the way Android would, for every API level, and works out what is missing.
 *
 * <p>Completion uses, in this order: the presented certificates, intermediates known from earlier scans, and the
 * issuers that the certificates' AIA {@code caIssuers} URLs serve. Android itself never fetches AIA; we do, only
 * to tell the admin which certificate is missing and to be able to deliver it.
 */
public final class ChainEvaluator {
    private static final int MAX_LOOKUP_ROUNDS = 6;

    private record LevelJudgement(ValidationResult result, List<String> missing) {}

    private final AndroidValidator validator = AndroidValidator.create();
    private final ChainAnalyzer analyzer;
    private final PathBuilder paths = PathBuilder.defaults();
    private final Optional<AiaFetcher> aia;

    /** @param aia the AIA fetcher, or empty to complete only from known certificates */
    public ChainEvaluator(Optional<AiaFetcher> aia) {
        this(aia, ChainAnalyzer.Options.DEFAULT.expiresSoonDays());
    }

    /** @param expiresSoonDays a presented certificate expiring within this many days is EXPIRES_SOON */
    public ChainEvaluator(Optional<AiaFetcher> aia, int expiresSoonDays) {
        this.aia = aia;
        this.analyzer = ChainAnalyzer.with(new ChainAnalyzer.Options(expiresSoonDays,
                ChainAnalyzer.Options.DEFAULT.maxCertificates()));
    }

    /**
     * @param presented the chain exactly as the server sent it
     * @param hostname the name (or IP literal) the device would verify
     * @param stores API level → the system store of that level
     * @param candidateRoots every certificate that some store holds, plus the tenant's anchors
     * @param knownIssuers CA certificates seen before, by subject (RFC 2253)
     */
    public ChainEvaluation evaluate(List<X509Certificate> presented, String hostname,
            SortedMap<Integer, PlatformStore> stores, Collection<X509Certificate> candidateRoots, Function<String, List<X509Certificate>> knownIssuers,
            Instant now) {
        List<Finding> findings = new ArrayList<>(analyzer.analyze(presented, hostname, now));
        if (presented.isEmpty()) {
            return new ChainEvaluation(List.of(), List.of(), findings, List.of());
        }
        X509Certificate leaf = presented.get(0);
        Map<String, X509Certificate> pool = new LinkedHashMap<>();
        presented.forEach(c -> pool.putIfAbsent(Sha256.of(c), c));
        Set<String> presentedIds = Set.copyOf(pool.keySet());
        Set<String> known = addKnownIssuers(pool, candidateRoots, knownIssuers);

        Optional<List<X509Certificate>> path = paths.build(leaf, pool.values(),
                namedBy(candidateRoots, pool.values()));
        List<X509Certificate> fetched = new ArrayList<>();
        if (path.isEmpty() && aia.isPresent()) {
            for (X509Certificate dangling : dangling(pool.values(), candidateRoots)) {
                AiaCompletion completion = aia.get().complete(dangling);
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

        List<ApiLevelVerdict> verdicts = new ArrayList<>();
        TreeSet<Integer> rootMissingAt = new TreeSet<>();
        String rootId = completed.isEmpty() ? null : Sha256.of(completed.get(completed.size() - 1));
        // a verdict depends on the store only through the anchors it names for this chain, and most levels name the
        // same ones (none, or the same root): judge each distinct set once
        Map<List<X509Certificate>, LevelJudgement> judged = new HashMap<>();
        stores.forEach((level, store) -> {
            LevelJudgement judgement = judged.computeIfAbsent(namedBy(store.certificates(), presented), anchors -> {
                ValidationResult result = validator.validate(presented, anchors, hostname, now);
                return new LevelJudgement(result, result.trusted() || completed.isEmpty() ? List.of()
                        : validator.missingFor(presented, completed, anchors, now));
            });
            ValidationResult result = judgement.result();
            verdicts.add(new ApiLevelVerdict(level, store.name(), result.trusted(), judgement.missing(),
                    result.trusted() ? null : result.failure() + ": " + result.detail()));
            if (rootId != null && !store.sha256s().contains(rootId)) {
                rootMissingAt.add(level);
            }
        });
        if (rootId != null && !rootMissingAt.isEmpty()) {
            X509Certificate anchor = completed.get(completed.size() - 1);
            String what = Certificates.isSelfSigned(anchor) ? "the root " + subject(anchor)
                    : "the chain's trust anchor, the private intermediate CA " + subject(anchor) + ",";
            findings.add(Finding.about(FindingCode.UNTRUSTED_ROOT, rootId, what
                    + " is not in the system store of API levels " + ApiLevels.describe(rootMissingAt)));
        }
        return new ChainEvaluation(completed, List.copyOf(fetched), List.copyOf(findings), List.copyOf(verdicts));
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
