package org.trustfleet.scan;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.trustfleet.pki.CertificateSummary;
import org.trustfleet.pki.FindingCode;

/**
 * What a tenant-wide report shows of an endpoint's latest scan: its outcome, the API levels that reject the chain,
 * the finding codes, the presented certificates and, where the scan failed, the server fix. A tenant's full latest
 * scans (each level's verdicts, every finding's text) run to megabytes; this is read without them.
 *
 * @param untrustedApiLevels API levels whose stock trust store rejects the presented chain, in level order
 * @param findingCodes       the codes of the scan's findings, each once, in the order first found
 * @param serverFix          the chain the server should send and the levels it fixes and does not; null when the
 *                           scan did not fail or has no advice
 */
public record ScanDigest(UUID endpointId, Instant startedAt, ProbeStatus status, String error,
        List<Integer> untrustedApiLevels, List<FindingCode> findingCodes, List<CertificateSummary> presented,
        ServerFixSummary serverFix) {

    public ScanDigest {
        untrustedApiLevels = List.copyOf(untrustedApiLevels);
        findingCodes = List.copyOf(findingCodes);
        presented = List.copyOf(presented);
    }

    /** The scan failed: no chain, or a chain some API level rejects. */
    public boolean failed() {
        return status != ProbeStatus.OK || !untrustedApiLevels.isEmpty();
    }
}
