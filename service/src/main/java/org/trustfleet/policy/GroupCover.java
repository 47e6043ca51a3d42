package org.trustfleet.policy;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import javax.security.auth.x500.X500Principal;
import org.trustfleet.pki.Certificates;
import org.trustfleet.pki.Sha256;

/**
 * Stage 2 of the engine for one group: from cached endpoint analyses to the group's requirements (the certificates
 * {@link SetCover} chooses plus the accepted includes, each with its reasons), what stays unresolved, and the advice
 * ({@link AdviceText}). No certificate validation happens here.
 */
final class GroupCover {

    /** One unresolved entry before its levels are merged: same endpoint, code, detail and certificate. */
    private record UnresolvedKey(UUID endpointId, UnresolvedCode code, String detail, String sha256OrNull) {
    }

    private final GroupSpec group;
    private final List<EndpointFixOptions> analyses;
    private final Map<String, X509Certificate> includes;
    private final Instant now;
    private final List<Integer> groupLevels = new ArrayList<>();
    private final Map<String, KnownCertificate> certs = new HashMap<>();
    private final List<Advice> advice = new ArrayList<>();
    private final Map<UnresolvedKey, List<Integer>> unresolved = new LinkedHashMap<>();

    /**
     * @param includes    the group's include certificates by fingerprint (only {@link GroupSpec#includeSha256()}
     *                    entries are used)
     * @param knownLevels the API levels a platform store is known for
     */
    GroupCover(GroupSpec group, List<EndpointFixOptions> analyses, Map<String, X509Certificate> includes, Instant now,
            Collection<Integer> knownLevels) {
        this.group = group;
        List<EndpointFixOptions> sorted = new ArrayList<>();
        Set<UUID> seen = new HashSet<>();
        for (EndpointFixOptions a : analyses) {
            if (group.covers(a.endpointId()) && seen.add(a.endpointId())) {
                sorted.add(a);
            }
        }
        sorted.sort(Comparator.comparing(EndpointFixOptions::endpointId));
        this.analyses = sorted;
        this.includes = includes == null ? Map.of() : includes;
        this.now = now;
        for (int l : new TreeSet<>(knownLevels)) {
            if (group.coversLevel(l)) {
                groupLevels.add(l);
            }
        }
    }

    Requirements run() {
        if (groupLevels.isEmpty()) {
            advice.add(AdviceText.noStoreForRange(group.minApiLevel(), group.maxApiLevel()));
        }
        Set<String> included = acceptedIncludes();
        Set<UUID> analysed = new HashSet<>();
        Map<SetCover.FixClassKey, Integer> weights = new LinkedHashMap<>();
        for (EndpointFixOptions a : analyses) {
            analysed.add(a.endpointId());
            certs.putAll(a.certificates());
            List<Integer> missing = new ArrayList<>(groupLevels);
            for (EndpointFixOptions.Run run : a.runs()) {
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
                            StringBuilder d = new StringBuilder("only excluded certificate(s) would fix it:");
                            for (Fix f : o.fixes()) {
                                d.append(' ').append(f.sha256()).append(" '")
                                        .append(a.certificates().get(f.sha256()).subject()).append('\'');
                            }
                            addUnresolved(a.endpointId(), UnresolvedCode.EXCLUDED_CERTIFICATE_NEEDED, d.toString(),
                                    o.fixes().get(0).sha256(), levels);
                        } else if (allowed.stream().noneMatch(included::contains)) {
                            weights.merge(new SetCover.FixClassKey(a.endpointId(), List.copyOf(allowed)),
                                    levels.size(), Integer::sum);
                        }
                    }
                    default -> throw new IllegalStateException();
                }
            }
            if (!missing.isEmpty()) {
                addUnresolved(a.endpointId(), UnresolvedCode.NOT_SCANNED, "endpoint not analysed for this API level",
                        null, missing);
            }
        }
        for (UUID e : new TreeSet<>(group.endpointIds())) {
            if (!analysed.contains(e) && !groupLevels.isEmpty()) {
                addUnresolved(e, UnresolvedCode.NOT_SCANNED, "no observation of this endpoint", null, groupLevels);
            }
        }
        List<SetCover.FixClass> classes = new ArrayList<>();
        weights.forEach((k, w) -> classes.add(new SetCover.FixClass(k.endpointId(), k.allowed(), w)));
        Set<String> delivered = new TreeSet<>(SetCover.choose(classes));
        delivered.addAll(included);
        return new Requirements(certificates(delivered, included), unresolvedList(), AdviceText.sorted(advice));
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
            } else if (!Certificates.isCaCertificate(c)) {
                why = subject(c) + " is not a CA certificate (basicConstraints CA=false or no keyCertSign)";
            } else if (now.isAfter(c.getNotAfter().toInstant())) {
                why = subject(c) + " expired at " + c.getNotAfter().toInstant();
            } else if (now.isBefore(c.getNotBefore().toInstant())) {
                why = subject(c) + " is not valid before " + c.getNotBefore().toInstant();
            }
            if (why != null) {
                advice.add(AdviceText.includeRefused(sha, why));
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
            if (group.coversLevel(l)) {
                out.add(l);
            }
        }
        return out;
    }

    private void addUnresolved(UUID endpoint, UnresolvedCode code, String detail, String sha, List<Integer> levels) {
        unresolved.computeIfAbsent(new UnresolvedKey(endpoint, code, detail == null ? "" : detail, sha),
                k -> new ArrayList<>()).addAll(levels);
    }

    private List<RequiredCertificate> certificates(Set<String> delivered, Set<String> included) {
        // sha -> endpoint -> code -> levels
        Map<String, Map<UUID, Map<ReasonCode, TreeSet<Integer>>>> reasons = new HashMap<>();
        boolean optIn = false;
        Map<UUID, Set<String>> sendIntermediate = new TreeMap<>();
        for (EndpointFixOptions a : analyses) {
            for (EndpointFixOptions.Run run : a.runs()) {
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
                            .computeIfAbsent(a.endpointId(), k -> new EnumMap<>(ReasonCode.class))
                            .computeIfAbsent(f.reason(), k -> new TreeSet<>()).addAll(levels);
                    if (levels.get(levels.size() - 1) >= AdviceText.USER_CA_OPT_IN_LEVEL) {
                        optIn = true;
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
            if (optIn || (!included.isEmpty() && group.maxApiLevel() >= AdviceText.USER_CA_OPT_IN_LEVEL)) {
                advice.add(AdviceText.userCaOptIn(group.mode()));
            }
            if (group.mode().workProfileScope()) {
                advice.add(AdviceText.workProfileScope());
            }
        }
        sendIntermediate.forEach((e, shas) -> shas.forEach(sha ->
                advice.add(AdviceText.sendIntermediate(e, sha, certs.get(sha).subject()))));
        return out;
    }

    private List<Unresolved> unresolvedList() {
        List<Unresolved> out = new ArrayList<>();
        unresolved.forEach((k, levels) -> out.add(new Unresolved(k.endpointId(), levels.stream().sorted().toList(),
                k.code(), k.detail(), k.sha256OrNull())));
        out.sort(Comparator.comparing(Unresolved::endpointId)
                .thenComparing(Unresolved::code)
                .thenComparing(u -> u.apiLevels().isEmpty() ? 0 : u.apiLevels().get(0))
                .thenComparing(Unresolved::detail));
        return out;
    }

    private static String subject(X509Certificate c) {
        return "'" + c.getSubjectX500Principal().getName(X500Principal.RFC2253) + "'";
    }
}
