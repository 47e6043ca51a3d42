package org.trustfleet.pki;

import java.security.InvalidAlgorithmParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathChecker;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * Decides whether an Android device would accept a presented chain, reproducing Conscrypt's TrustManagerImpl: only
 * the presented certificates are available (never AIA), any anchor (root or installed intermediate) terminates the
 * path, anchors are never checked for validity, and the untrusted part is checked with PKIX (revocation off) plus
 * Conscrypt's strength and extendedKeyUsage rules. What must be installed to fix a chain is {@link FixFinder}'s
 * question.
 *
 * <p>Where Conscrypt tries candidate paths depth-first and accepts the first valid one, this class tries every path
 * shortest first; the verdict is the same (some valid path exists), the reported path is the deterministic best one.
 */
public final class AndroidValidator {

    /** extendedKeyUsage values Conscrypt accepts on a server leaf: any, serverAuth, Netscape and Microsoft SGC. */
    private static final Set<String> SERVER_EKUS = Set.of(
            "2.5.29.37.0", "1.3.6.1.5.5.7.3.1", "2.16.840.1.113730.4.1", "1.3.6.1.4.1.311.10.3.3");
    private static final String EKU_OID = "2.5.29.37";
    private static final int MAX_PATHS_TRIED = 64;
    /** Signature checks spent on naming the missing issuer of a chain without a path. */
    private static final int MAX_DESCRIBE_CHECKS = 16;

    private final PathBuilder pathBuilder;

    private AndroidValidator(PathBuilder pathBuilder) {
        this.pathBuilder = pathBuilder;
    }

    /** Validator with {@link PathBuilder#defaults()}. */
    public static AndroidValidator create() {
        return new AndroidValidator(PathBuilder.defaults());
    }

    /** Validator using the given path builder (e.g. a different maximum depth). */
    public static AndroidValidator using(PathBuilder pathBuilder) {
        return new AndroidValidator(pathBuilder);
    }

    /**
     * Validates the chain exactly as presented by a server (leaf first; the rest in any order).
     *
     * @param presented      the certificates the server sent; the first one is the leaf
     * @param anchors        the device's trust anchors (system store plus installed CA certificates)
     * @param hostnameOrNull host name or IP literal to verify against the leaf, or null to skip
     * @param now            the instant at which validity is judged
     */
    public ValidationResult validate(List<X509Certificate> presented, Collection<X509Certificate> anchors,
            String hostnameOrNull, Instant now) {
        return validate(presented, anchors, hostnameOrNull, now, null);
    }

    /** {@link #validate}, within the caller's computation ({@code callersMemo}), or alone when it is null. */
    ValidationResult validate(List<X509Certificate> presented, Collection<X509Certificate> anchors,
            String hostnameOrNull, Instant now, ComputationMemo callersMemo) {
        ComputationMemo memo = callersMemo == null ? ComputationMemo.standalone() : callersMemo;
        if (presented == null || presented.isEmpty() || presented.get(0) == null) {
            return ValidationResult.fail(List.of(), ValidationFailure.EMPTY_CHAIN, "no certificate presented");
        }
        X509Certificate leaf = presented.get(0);
        List<X509Certificate> pool = new ArrayList<>(presented.subList(1, presented.size()));
        pool.removeIf(c -> c == null);
        PathBuilder.Result built = pathBuilder.search(leaf, pool, anchors == null ? List.of() : anchors,
                MAX_PATHS_TRIED, memo);
        ValidationResult verdict = judge(built.paths(), leaf, pool, hostnameOrNull, now, memo);
        return built.limitReached() ? verdict.withPathLimitReached() : verdict;
    }

    private ValidationResult judge(List<List<X509Certificate>> paths, X509Certificate leaf,
            List<X509Certificate> pool, String hostnameOrNull, Instant now, ComputationMemo memo) {
        if (paths.isEmpty()) {
            return ValidationResult.fail(List.of(), ValidationFailure.NO_PATH,
                    describeMissingIssuer(leaf, pool, memo));
        }
        ValidationResult firstFailure = null;
        for (List<X509Certificate> path : paths) {
            ValidationResult r = memo.checked(path, now, this::checkPath);
            if (r.trusted()) {
                if (hostnameOrNull != null && !HostnameMatcher.matches(leaf, hostnameOrNull)) {
                    return ValidationResult.fail(path, ValidationFailure.HOSTNAME_MISMATCH,
                            "certificate " + name(leaf) + " is not valid for '" + hostnameOrNull
                                    + "' (subjectAltName only; Android ignores the CN)");
                }
                return r;
            }
            if (firstFailure == null) {
                firstFailure = r;
            }
        }
        return firstFailure;
    }

    /** Checks one built path; the last element is the anchor and is exempt from every check, as in PKIX. */
    ValidationResult checkPath(List<X509Certificate> path, Instant now) {
        List<X509Certificate> untrusted = path.subList(0, path.size() - 1);
        X509Certificate anchor = path.get(path.size() - 1);
        if (untrusted.isEmpty()) {
            return ValidationResult.ok(path);
        }
        for (X509Certificate c : untrusted) {
            if (now.isAfter(c.getNotAfter().toInstant())) {
                return ValidationResult.fail(path, ValidationFailure.EXPIRED,
                        name(c) + " expired at " + c.getNotAfter().toInstant());
            }
            if (now.isBefore(c.getNotBefore().toInstant())) {
                return ValidationResult.fail(path, ValidationFailure.NOT_YET_VALID,
                        name(c) + " is not valid before " + c.getNotBefore().toInstant());
            }
        }
        for (X509Certificate c : untrusted) {
            String weakness = conscryptWeakness(c);
            if (weakness != null) {
                boolean sig = weakness.startsWith("signature");
                return ValidationResult.fail(path, sig ? ValidationFailure.WEAK_SIGNATURE : ValidationFailure.WEAK_KEY,
                        name(c) + ": " + weakness);
            }
        }
        int intermediatesBelow = 0;
        for (int i = 1; i < untrusted.size(); i++) {
            X509Certificate issuer = untrusted.get(i);
            int pathLen = issuer.getBasicConstraints();
            if (pathLen < 0) {
                return ValidationResult.fail(path, ValidationFailure.BASIC_CONSTRAINTS,
                        name(issuer) + " issues certificates but is not a CA (basicConstraints CA=false or absent)");
            }
            if (intermediatesBelow > pathLen) {
                return ValidationResult.fail(path, ValidationFailure.BASIC_CONSTRAINTS,
                        name(issuer) + " has pathLenConstraint " + pathLen + " but " + intermediatesBelow
                                + " intermediate CA certificate(s) follow it");
            }
            boolean[] keyUsage = issuer.getKeyUsage();
            if (keyUsage != null && (keyUsage.length <= 5 || !keyUsage[5])) {
                return ValidationResult.fail(path, ValidationFailure.KEY_USAGE,
                        name(issuer) + " has keyUsage without keyCertSign");
            }
            // Self-issued intermediates do not count against pathLen (RFC 5280 6.1.4 (l)).
            if (!Certificates.isSelfIssued(issuer)) {
                intermediatesBelow++;
            }
        }
        String ekuProblem = serverEkuProblem(untrusted.get(0));
        if (ekuProblem != null) {
            return ValidationResult.fail(path, ValidationFailure.EXTENDED_KEY_USAGE, ekuProblem);
        }
        return pkix(path, untrusted, anchor, now);
    }

    /** JDK PKIX on the untrusted part, as Conscrypt does: catches signatures, name constraints, policies, etc. */
    private static ValidationResult pkix(List<X509Certificate> path, List<X509Certificate> untrusted,
            X509Certificate anchor, Instant now) {
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(untrusted);
            // Conscrypt builds TrustAnchor(cert, null): anchor name constraints are not passed separately.
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
            params.setRevocationEnabled(false);
            params.setDate(Date.from(now));
            params.addCertPathChecker(new EkuChecker());
            // signatures through the remembered verdicts when it offers every algorithm of the path (as the path
            // builder checked them): a verdict is the same either way, only cheaper the second time
            if (untrusted.stream().allMatch(c -> SignatureVerdicts.providerFor(c) != null)) {
                params.setSigProvider(SignatureVerdicts.PROVIDER);
            }
            CertPathValidator.getInstance("PKIX").validate(certPath, params);
            return ValidationResult.ok(path);
        } catch (CertPathValidatorException e) {
            return ValidationResult.fail(path, map(e), describe(e, untrusted));
        } catch (CertificateException | InvalidAlgorithmParameterException | NoSuchAlgorithmException
                | RuntimeException e) {
            return ValidationResult.fail(path, ValidationFailure.INVALID, "PKIX validation failed: " + e);
        }
    }

    private static ValidationFailure map(CertPathValidatorException e) {
        CertPathValidatorException.Reason reason = e.getReason();
        if (reason == CertPathValidatorException.BasicReason.EXPIRED) {
            return ValidationFailure.EXPIRED;
        }
        if (reason == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
            return ValidationFailure.NOT_YET_VALID;
        }
        if (reason == CertPathValidatorException.BasicReason.INVALID_SIGNATURE) {
            return ValidationFailure.BAD_SIGNATURE;
        }
        if (reason == CertPathValidatorException.BasicReason.ALGORITHM_CONSTRAINED) {
            String m = String.valueOf(e.getMessage());
            return m.contains("key") || m.contains("Key") ? ValidationFailure.WEAK_KEY
                    : ValidationFailure.WEAK_SIGNATURE;
        }
        if (reason == PKIXReason.NOT_CA_CERT || reason == PKIXReason.PATH_TOO_LONG) {
            return ValidationFailure.BASIC_CONSTRAINTS;
        }
        if (reason == PKIXReason.INVALID_KEY_USAGE) {
            return ValidationFailure.KEY_USAGE;
        }
        if (reason == PKIXReason.INVALID_NAME) {
            return ValidationFailure.NAME_CONSTRAINTS;
        }
        if (reason == PKIXReason.UNRECOGNIZED_CRIT_EXT) {
            return ValidationFailure.UNSUPPORTED_CRITICAL_EXTENSION;
        }
        return ValidationFailure.INVALID;
    }

    private static String describe(CertPathValidatorException e, List<X509Certificate> untrusted) {
        int index = e.getIndex();
        String where = index >= 0 && index < untrusted.size() ? name(untrusted.get(index)) + ": " : "";
        return where + e.getMessage();
    }

    /** Conscrypt's ChainStrengthAnalyzer rules; null when acceptable. */
    static String conscryptWeakness(X509Certificate c) {
        String alg = c.getPublicKey().getAlgorithm();
        int bits = Certificates.keySizeBits(c.getPublicKey());
        if (("RSA".equals(alg) && bits < 1024) || ("DSA".equals(alg) && bits < 1024)) {
            return "key " + alg + " " + bits + " bits is below 1024";
        }
        if ("EC".equals(alg) && bits < 160) {
            return "key EC " + bits + " bits is below 160";
        }
        if (Certificates.hasWeakSignature(c)) {
            return "signature algorithm " + c.getSigAlgName() + " is refused";
        }
        return null;
    }

    private static String serverEkuProblem(X509Certificate leaf) {
        try {
            List<String> ekus = leaf.getExtendedKeyUsage();
            if (ekus == null) {
                return null;
            }
            for (String eku : ekus) {
                if (SERVER_EKUS.contains(eku)) {
                    return null;
                }
            }
            return name(leaf) + " has extendedKeyUsage " + ekus + " without serverAuth";
        } catch (Exception e) {
            return name(leaf) + " has an unreadable extendedKeyUsage";
        }
    }

    private static String describeMissingIssuer(X509Certificate leaf, List<X509Certificate> pool,
            ComputationMemo memo) {
        // Follow presented issuers as far as they go so the message names the first certificate nobody supplied;
        // key-identifier matches are tried first and the signature checks are capped, so 100 same-named certificates
        // cost a handful of verifications here, not 100 (the message is all that depends on this walk).
        X509Certificate current = leaf;
        Set<X509Certificate> used = new HashSet<>();
        used.add(leaf);
        boolean progressed = true;
        int checks = 0;
        while (progressed && !Certificates.isSelfIssued(current) && used.size() <= PathBuilder.DEFAULT_MAX_DEPTH) {
            progressed = false;
            List<X509Certificate> named = PathBuilder.namedIssuers(current, pool);
            named.removeIf(used::contains);
            for (X509Certificate c : named) {
                if (checks++ >= MAX_DESCRIBE_CHECKS) {
                    break;
                }
                if (memo.verifies(current, c)) {
                    used.add(c);
                    current = c;
                    progressed = true;
                    break;
                }
            }
        }
        if (Certificates.isSelfIssued(current)) {
            return "chain ends at " + name(current) + ", which is not a trust anchor";
        }
        return "issuer '" + current.getIssuerX500Principal().getName(X500Principal.RFC2253) + "' of " + name(current)
                + " is neither presented nor a trust anchor";
    }

    static String name(X509Certificate c) {
        return "'" + c.getSubjectX500Principal().getName(X500Principal.RFC2253) + "'";
    }

    /** Claims the extendedKeyUsage extension so PKIX does not reject a critical EKU; the check is done above. */
    private static final class EkuChecker extends PKIXCertPathChecker {
        @Override
        public void init(boolean forward) {
        }

        @Override
        public boolean isForwardCheckingSupported() {
            return true;
        }

        @Override
        public Set<String> getSupportedExtensions() {
            return Set.of(EKU_OID);
        }

        @Override
        public void check(java.security.cert.Certificate cert, Collection<String> unresolvedCritExts) {
            unresolvedCritExts.remove(EKU_OID);
        }
    }
}
