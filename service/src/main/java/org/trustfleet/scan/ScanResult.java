package org.trustfleet.scan;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.trustfleet.pki.CertificateSummary;
import org.trustfleet.pki.Finding;

/**
 * One scan of one endpoint, as recorded: what was presented, how it completes, what each Android makes of it, and
 * the chain the server should send ({@code serverFix}, null when no chain was presented or the scan predates it).
 */
public record ScanResult(UUID id, UUID endpointId, Instant startedAt, long durationMs, ProbeStatus status,
        ScanTrigger trigger, String tlsVersion, String cipherSuite, String address, String error,
        List<CertificateSummary> presented, List<String> completedPath, List<Finding> findings,
        List<ApiLevelVerdict> perApiLevel, ServerFixAdvice serverFix) {

    /** Why a scan ran. */
    public enum ScanTrigger { SCHEDULED, MANUAL }
}
