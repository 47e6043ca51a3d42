package org.trustfleet.scan;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.pki.CertificateParseException;
import org.trustfleet.pki.CertificateParser;
import org.trustfleet.pki.CertificateSummary;
import org.trustfleet.pki.ParseLimits;
import org.trustfleet.pki.Sha256;
import org.trustfleet.truststore.AnchorService;
import org.trustfleet.truststore.CertificateStore;
import org.trustfleet.truststore.TrustStoreService;

/**
 * Judges a chain someone pasted (exported from a browser for an endpoint the scanner cannot reach, e.g. an AD FS
 * behind a firewall) exactly as a scan judges a probed one: same {@link ChainJudge}, the platform stores in force, the
 * tenant's anchors and the CA certificates known from earlier scans. Reads only; nothing is stored.
 *
 * <p>Unlike a scan, a check never uses the network: AIA {@code caIssuers} URLs in a pasted certificate are not
 * fetched, so a console user cannot make the service request URLs of their choosing. A chain whose intermediate is
 * neither pasted nor known is reported as missing it.
 */
@ApplicationScoped
public class ChainCheckService {

    private final TrustStoreService stores;
    private final AnchorService anchors;
    private final CertificateStore certificates;
    private final Clock clock;
    private final ParseLimits limits;
    private final ChainJudge judge;

    public ChainCheckService(TrustStoreService stores, AnchorService anchors, CertificateStore certificates,
            Clock clock, TrustfleetConfig config) {
        this.stores = stores;
        this.anchors = anchors;
        this.certificates = certificates;
        this.clock = clock;
        if (config.chainCheck().maxCertificates() < 1 || config.chainCheck().maxBytes() < 1) {
            throw new IllegalArgumentException("trustfleet.chain-check.max-certificates and "
                    + "trustfleet.chain-check.max-bytes must be at least 1");
        }
        this.limits = new ParseLimits(config.chainCheck().maxBytes(), config.chainCheck().maxCertificates());
        this.judge = new ChainJudge(Optional.empty(), (int) config.scanner().expiresSoon().toDays());
    }

    /**
     * Evaluates a pasted chain for a tenant.
     *
     * @param pem           the chain as PEM, leaf first (the order the server sends it)
     * @param serverNameOrNull the name a device verifies against the leaf; null or blank skips that check
     * @param atOrNull      the instant to judge validity at ("would this still validate then?"); null means now
     * @throws TrustfleetException validation (400) naming the failing block for bad PEM, too many certificates or too
     *                             many bytes
     */
    @Transactional
    public ChainCheckResult check(UUID tenantId, String pem, String serverNameOrNull, Instant atOrNull) {
        List<X509Certificate> presented = parse(pem);
        // the same rule as an endpoint's serverName (a DNS name, IPv4 dotted quad or IPv6 literal, nothing else)
        String serverName = serverNameOrNull == null || serverNameOrNull.isBlank() ? null
                : EndpointService.host(serverNameOrNull, "serverName");
        Instant at = atOrNull == null ? Instant.now(clock) : atOrNull;
        ChainEvaluation evaluation = judge.evaluate(presented, serverName, stores.snapshot(),
                anchors.certificatesOf(tenantId), certificates::caCertificatesWithSubject, at);
        return new ChainCheckResult(at, serverName, presented.stream().map(CertificateSummary::of).toList(),
                evaluation.completedPath().stream().map(Sha256::of).toList(), evaluation.findings(),
                evaluation.perApiLevel(),
                evaluation.serverFix() == null ? null : ServerFixAdvice.of(evaluation.serverFix()));
    }

    private List<X509Certificate> parse(String pem) {
        if (pem == null || pem.isBlank()) {
            throw TrustfleetException.validation("'chain' is required: the chain as PEM, leaf first");
        }
        byte[] bytes = pem.getBytes(StandardCharsets.UTF_8);
        if (!pem.contains("-----BEGIN")) {
            throw TrustfleetException.validation("'chain' holds no PEM block (-----BEGIN CERTIFICATE-----)");
        }
        try {
            return CertificateParser.parse(bytes, limits);
        } catch (CertificateParseException e) {
            throw TrustfleetException.validation("'chain' " + e.getMessage());
        }
    }
}
