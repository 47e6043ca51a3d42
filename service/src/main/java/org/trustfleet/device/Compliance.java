package org.trustfleet.device;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The pure compliance rule: {@code STALE} if not seen within {@code staleAfter}; else {@code PENDING} if there is no
 * desired set, no report, or the reported version is older than the desired one; else {@code FAILED} if the report
 * has failures; else {@code DRIFTED} if the installed set differs from the desired set; else {@code COMPLIANT}.
 */
public final class Compliance {
    private Compliance() {}

    /** What a device last reported. */
    public record Report(long payloadVersion, Collection<String> installed, List<ReportedFailure> failures) {}

    /**
     * @param desiredVersion the group's current version, or null without a group
     * @param desired        the group's current set (ignored when {@code desiredVersion} is null)
     * @param report         the latest report, or null
     */
    public static ComplianceView evaluate(Instant now, Duration staleAfter, Instant lastSeenAt, Long desiredVersion,
            Collection<String> desired, Report report) {
        List<String> missing = List.of();
        List<String> unexpected = List.of();
        if (report != null && desiredVersion != null) {
            Set<String> want = new TreeSet<>(desired);
            Set<String> have = new TreeSet<>(report.installed());
            missing = new ArrayList<>(want);
            missing.removeAll(have);
            unexpected = new ArrayList<>(have);
            unexpected.removeAll(want);
        }
        List<ReportedFailure> failures = report == null ? List.of() : List.copyOf(report.failures());
        Long reported = report == null ? null : report.payloadVersion();
        ComplianceState state;
        if (lastSeenAt.plus(staleAfter).isBefore(now)) {
            state = ComplianceState.STALE;
        } else if (desiredVersion == null || report == null || report.payloadVersion() < desiredVersion) {
            state = ComplianceState.PENDING;
        } else if (!failures.isEmpty()) {
            state = ComplianceState.FAILED;
        } else if (!missing.isEmpty() || !unexpected.isEmpty()) {
            state = ComplianceState.DRIFTED;
        } else {
            state = ComplianceState.COMPLIANT;
        }
        return new ComplianceView(state, desiredVersion, reported, List.copyOf(missing), List.copyOf(unexpected),
                failures);
    }
}
