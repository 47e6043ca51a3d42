package org.trustfleet.scan;

import java.time.Instant;
import java.util.List;
import org.trustfleet.pki.CertificateSummary;
import org.trustfleet.pki.Finding;

/**
 * The evaluation of a pasted chain: the same judgement as a scan result ({@link ScanResult}'s {@code presented},
 * {@code completedPath}, {@code findings}, {@code perApiLevel}, {@code serverFix}) without the probe's facts, for
 * endpoints the scanner cannot reach. Never stored.
 *
 * @param checkedAt  the instant validity was judged at (the request's {@code at}, or now)
 * @param serverName the name verified against the leaf; null when none was given (no host name check)
 */
public record ChainCheckResult(Instant checkedAt, String serverName, List<CertificateSummary> presented,
        List<String> completedPath, List<Finding> findings, List<ApiLevelVerdict> perApiLevel,
        ServerFixAdvice serverFix) {}
