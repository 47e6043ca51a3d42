package org.trustfleet.pki;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reports the shape problems of a presented chain in SSL Labs' vocabulary (order, extra, duplicate, own root, dates,
 * weak algorithms, host name, size). Purely descriptive: trust is {@link AndroidValidator}'s job. Never throws on
 * odd input; a certificate whose inspection fails is simply skipped for that check.
 */
public final class ChainLinter {

    /** Tunables of the analysis. */
    public record Options(int expiresSoonDays, int maxCertificates) {

        /** 30 days of warning, and 10 certificates (real chains have 2 to 4). */
        public static final Options DEFAULT = new Options(30, 10);

        public Options {
            if (expiresSoonDays < 0 || maxCertificates < 1) {
                throw new IllegalArgumentException("invalid options");
            }
        }
    }

    /** Presented lists longer than this are analysed only up to here, to bound work on hostile servers. */
    private static final int HARD_LIMIT = 500;
    /** Longest leaf-to-top walk considered; real chains have at most 4 or 5 certificates. */
    private static final int MAX_PATH = 20;

    private final Options options;

    private ChainLinter(Options options) {
        this.options = options;
    }

    /** Analyzer with {@link Options#DEFAULT}. */
    public static ChainLinter create() {
        return new ChainLinter(Options.DEFAULT);
    }

    /** Analyzer with explicit options. */
    public static ChainLinter with(Options options) {
        return new ChainLinter(options);
    }

    /** Shape findings of a chain, without knowledge of any trust store. */
    public List<Finding> analyze(List<X509Certificate> presented, String hostnameOrNull, Instant now) {
        return analyze(presented, hostnameOrNull, now, List.of());
    }

    /**
     * Shape findings; when {@code knownRoots} is not empty, a chain whose top is neither self-issued nor issued by a
     * known root is also reported as {@link FindingCode#MISSING_INTERMEDIATE}.
     */
    public List<Finding> analyze(List<X509Certificate> presented, String hostnameOrNull, Instant now,
            Collection<X509Certificate> knownRoots) {
        List<Finding> findings = new ArrayList<>();
        try {
            analyzeInto(findings, presented, hostnameOrNull, now, knownRoots == null ? List.of() : knownRoots);
        } catch (RuntimeException e) {
            // Last-resort guard: the analyzer must report, not fail a scan. Findings gathered so far are kept.
        }
        return List.copyOf(findings);
    }

    private void analyzeInto(List<Finding> findings, List<X509Certificate> presentedIn, String host, Instant now,
            Collection<X509Certificate> knownRoots) {
        if (presentedIn == null || presentedIn.isEmpty()) {
            return;
        }
        if (presentedIn.size() > options.maxCertificates()) {
            findings.add(Finding.of(FindingCode.TOO_MANY_CERTIFICATES, "the server sends " + presentedIn.size()
                    + " certificates, more than the limit of " + options.maxCertificates()));
        }
        List<X509Certificate> presented = new ArrayList<>();
        for (X509Certificate c : presentedIn.subList(0, Math.min(presentedIn.size(), HARD_LIMIT))) {
            if (c != null) {
                presented.add(c);
            }
        }
        if (presented.isEmpty()) {
            return;
        }
        List<String> shas = new ArrayList<>();
        for (X509Certificate c : presented) {
            shas.add(safeSha(c));
        }

        // Duplicates: report each repeated certificate once; later copies are ignored for the rest of the analysis.
        Map<String, Integer> firstIndex = new HashMap<>();
        Set<String> reportedDuplicate = new HashSet<>();
        List<Integer> unique = new ArrayList<>();
        for (int i = 0; i < presented.size(); i++) {
            String sha = shas.get(i);
            if (firstIndex.putIfAbsent(sha, i) != null) {
                if (reportedDuplicate.add(sha)) {
                    findings.add(Finding.about(FindingCode.DUPLICATE_CERTIFICATE, sha,
                            name(presented.get(i)) + " is sent more than once"));
                }
            } else {
                unique.add(i);
            }
        }

        // Path from the leaf through presented certificates, preferring the next one in order at each step.
        List<Integer> path = new ArrayList<>();
        path.add(0);
        Set<Integer> onPath = new LinkedHashSet<>(path);
        int current = 0;
        while (path.size() <= Math.min(unique.size(), MAX_PATH) && !selfIssued(presented.get(current))) {
            int next = -1;
            List<Integer> order = new ArrayList<>();
            if (current + 1 < presented.size()) {
                order.add(current + 1);
            }
            order.addAll(unique);
            for (int j : order) {
                if (!onPath.contains(j) && unique.contains(j) && issuedBy(presented.get(current), presented.get(j))) {
                    next = j;
                    break;
                }
            }
            if (next < 0) {
                break;
            }
            path.add(next);
            onPath.add(next);
            current = next;
        }

        // Order is judged on the de-duplicated sequence, so a repeated certificate is reported once, as a duplicate.
        for (int k = 0; k + 1 < path.size(); k++) {
            int at = path.get(k);
            if (unique.indexOf(path.get(k + 1)) != unique.indexOf(at) + 1) {
                X509Certificate child = presented.get(at);
                findings.add(Finding.about(FindingCode.WRONG_ORDER, shas.get(path.get(k + 1)),
                        "the issuer of " + name(child) + " is not the next certificate sent"
                                + " (Android reorders, but some clients do not)"));
                break;
            }
        }
        for (int i : unique) {
            if (!onPath.contains(i)) {
                findings.add(Finding.about(FindingCode.EXTRA_CERTIFICATE, shas.get(i),
                        name(presented.get(i)) + " is not on the path from the leaf (unrelated certificate)"));
            }
        }
        int top = path.get(path.size() - 1);
        X509Certificate topCert = presented.get(top);
        if (path.size() > 1 && selfSigned(topCert)) {
            findings.add(Finding.about(FindingCode.CONTAINS_ROOT, shas.get(top),
                    "the server sends its own root " + name(topCert) + "; devices use their stored copy"));
        }
        if (!knownRoots.isEmpty() && !selfIssued(topCert) && !issuedByAny(topCert, knownRoots)) {
            findings.add(Finding.about(FindingCode.MISSING_INTERMEDIATE, shas.get(top),
                    "the issuer '" + safeIssuer(topCert) + "' of " + name(topCert)
                            + " is not sent and is not a known root"));
        }

        for (int i : unique) {
            perCertificate(findings, presented.get(i), shas.get(i), i == 0, now);
        }
        if (host != null) {
            try {
                if (!HostnameMatcher.matches(presented.get(0), host)) {
                    findings.add(Finding.about(FindingCode.HOSTNAME_MISMATCH, shas.get(0),
                            name(presented.get(0)) + " has no subjectAltName matching '" + host + "'"));
                }
            } catch (RuntimeException e) {
                findings.add(Finding.about(FindingCode.HOSTNAME_MISMATCH, shas.get(0),
                        "the leaf's subjectAltName cannot be read"));
            }
        }
    }

    private void perCertificate(List<Finding> findings, X509Certificate c, String sha, boolean leaf, Instant now) {
        try {
            Instant notAfter = c.getNotAfter().toInstant();
            Instant notBefore = c.getNotBefore().toInstant();
            if (now.isAfter(notAfter)) {
                findings.add(Finding.about(FindingCode.EXPIRED, sha, name(c) + " expired on " + notAfter));
            } else if (now.isBefore(notBefore)) {
                findings.add(Finding.about(FindingCode.NOT_YET_VALID, sha,
                        name(c) + " is not valid before " + notBefore));
            } else if (!now.plus(Duration.ofDays(options.expiresSoonDays())).isBefore(notAfter)) {
                long days = Duration.between(now, notAfter).toDays();
                findings.add(Finding.about(FindingCode.EXPIRES_SOON, sha,
                        name(c) + " expires on " + notAfter + " (in " + days + " days)"));
            }
        } catch (RuntimeException e) {
            // An unreadable validity is not worth failing the scan.
        }
        try {
            // A root's own signature is never verified by clients, so SHA-1 on a root is harmless.
            if (Certificates.hasWeakSignature(c) && !selfSigned(c)) {
                findings.add(Finding.about(FindingCode.WEAK_SIGNATURE, sha,
                        name(c) + " is signed with " + c.getSigAlgName()));
            }
        } catch (RuntimeException e) {
            // skip
        }
        try {
            String alg = c.getPublicKey().getAlgorithm();
            int bits = Certificates.keySizeBits(c.getPublicKey());
            boolean weak = ("RSA".equals(alg) || "DSA".equals(alg)) && bits > 0 && bits < 2048
                    || "EC".equals(alg) && bits > 0 && bits < 256;
            if (weak) {
                findings.add(Finding.about(FindingCode.WEAK_KEY, sha,
                        name(c) + " has a " + alg + " " + bits + "-bit key"));
            }
        } catch (RuntimeException e) {
            // skip
        }
    }

    private static boolean issuedByAny(X509Certificate c, Collection<X509Certificate> roots) {
        for (X509Certificate r : roots) {
            if (r != null && (Certificates.isIssuedBy(c, r) || Certificates.sameSubjectAndKey(c, r))) {
                return true;
            }
        }
        return false;
    }

    private static boolean issuedBy(X509Certificate child, X509Certificate issuer) {
        try {
            return Certificates.isIssuedBy(child, issuer);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean selfIssued(X509Certificate c) {
        try {
            return Certificates.isSelfIssued(c);
        } catch (RuntimeException e) {
            return true;
        }
    }

    private static boolean selfSigned(X509Certificate c) {
        try {
            return Certificates.isSelfSigned(c);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String safeSha(X509Certificate c) {
        try {
            return Sha256.of(c);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String safeIssuer(X509Certificate c) {
        try {
            return c.getIssuerX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253);
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private static String name(X509Certificate c) {
        try {
            return AndroidValidator.name(c);
        } catch (RuntimeException e) {
            return "(unreadable certificate)";
        }
    }
}
