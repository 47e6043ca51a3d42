package org.trustfleet.scan;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.trustfleet.cache.BoundedCache;
import org.trustfleet.cache.Caches;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.FindingCode;
import org.trustfleet.pki.Sha256;

/**
 * Reuses an endpoint's last chain verdicts when nothing they depend on changed, so a sweep of unchanged endpoints
 * spends its CPU on handshakes, not on validating the same chain against every Android store again.
 *
 * <p>The key is a hash of the presented chain (DER, in order), the verified name, the store snapshot's version, the
 * tenant's anchors, the generation of the known CA certificates ({@code CertificateStore.caGeneration()}: chain
 * completion may use any of them, so a new intermediate or cross-signed root anywhere ends every memo, on another
 * replica within the cache invalidation feed's poll interval) and the UTC day (EXPIRES_SOON counts
 * days). Time enters the verdicts only through validity
 * dates, so a memo also ends at the first moment one of the chain's or path's certificates becomes valid, starts to
 * expire soon, or expires. An evaluation whose AIA fetch failed is not reused (the failure may be transient) unless
 * the certificate has no AIA extension at all; one that fetched by AIA is, because the fetched issuer is then a known
 * certificate.
 */
final class VerdictReuse {

    /** The part of an evaluation a scan stores, without the certificates (already in the certificate table). */
    record Verdicts(List<Finding> findings, List<ApiLevelVerdict> perApiLevel, List<String> completedPath,
            ServerFixAdvice serverFix) {}

    private static final String AUTHORITY_INFO_ACCESS = "1.3.6.1.5.5.7.1.1";

    private record Memo(String key, Instant validUntil, Verdicts verdicts) {}

    private final BoundedCache<UUID, Memo> memos;
    private final Duration expiresSoon;

    VerdictReuse(int maxEntries, Duration expiresSoon) {
        this.memos = Caches.bounded("chain-verdicts", maxEntries);
        this.expiresSoon = expiresSoon;
    }

    /** The reuse key of a chain judged at {@code now} against these stores and anchors. */
    static String key(List<X509Certificate> presented, String verifiedName, long storeVersion,
            List<X509Certificate> anchors, long caGeneration, Instant now) {
        List<String> anchorIds = new ArrayList<>(anchors.stream().map(Sha256::of).toList());
        anchorIds.sort(null);
        String key = "chain=" + Sha256.ofChain(presented) + "|name=" + verifiedName + "|stores=" + storeVersion
                + "|anchors=" + String.join(",", anchorIds) + "|ca-generation=" + caGeneration
                + "|day=" + LocalDate.ofInstant(now, ZoneOffset.UTC);
        return Sha256.hex(key.getBytes(StandardCharsets.UTF_8));
    }

    /** The endpoint's last verdicts if they were reached under {@code key} and are still valid at {@code now}. */
    Optional<Verdicts> reuse(UUID endpointId, String key, Instant now) {
        Memo memo = memos.get(endpointId);
        if (memo == null || !memo.key().equals(key) || !now.isBefore(memo.validUntil())) {
            return Optional.empty();
        }
        return Optional.of(memo.verdicts());
    }

    /** Remembers an evaluation reached under {@code key} at {@code now}, unless part of it may be transient. */
    void remember(UUID endpointId, String key, Instant now, List<X509Certificate> presented,
            ChainEvaluation evaluation) {
        List<X509Certificate> dated = new ArrayList<>(presented);
        dated.addAll(evaluation.completedPath());
        if (evaluation.findings().stream().anyMatch(f -> f.code() == FindingCode.AIA_UNAVAILABLE
                && mayBeTransient(f, dated))) {
            memos.invalidate(endpointId);
            return;
        }
        Instant validUntil = Instant.MAX;
        for (X509Certificate certificate : dated) {
            Instant notBefore = certificate.getNotBefore().toInstant();
            Instant notAfter = certificate.getNotAfter().toInstant();
            for (Instant bound : new Instant[] {notBefore, notAfter.minus(expiresSoon), notAfter}) {
                if (bound.isAfter(now) && bound.isBefore(validUntil)) {
                    validUntil = bound;
                }
            }
        }
        memos.put(endpointId, new Memo(key, validUntil, new Verdicts(List.copyOf(evaluation.findings()),
                List.copyOf(evaluation.perApiLevel()), evaluation.completedPath().stream().map(Sha256::of).toList(),
                evaluation.serverFix() == null ? null : ServerFixAdvice.of(evaluation.serverFix()))));
    }

    /**
     * An AIA failure is transient unless the certificate it is about has no AIA extension at all (nothing was
     * fetched, nothing will be next time).
     */
    private static boolean mayBeTransient(Finding finding, List<X509Certificate> certificates) {
        return certificates.stream().filter(c -> Sha256.of(c).equals(finding.sha256())).findFirst()
                .map(c -> c.getExtensionValue(AUTHORITY_INFO_ACCESS) != null).orElse(true);
    }

    void forget(UUID endpointId) {
        memos.invalidate(endpointId);
    }
}
