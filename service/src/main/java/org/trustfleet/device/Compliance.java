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
        ComplianceState state = state(stale(now, staleAfter, lastSeenAt), desiredVersion, reported,
                !failures.isEmpty(), missing.isEmpty() && unexpected.isEmpty());
        return new ComplianceView(state, desiredVersion, reported, List.copyOf(missing), List.copyOf(unexpected),
                failures);
    }

    /** Whether a device last seen at {@code lastSeenAt} is {@code STALE} at {@code now}. */
    static boolean stale(Instant now, Duration staleAfter, Instant lastSeenAt) {
        return lastSeenAt.plus(staleAfter).isBefore(now);
    }

    /**
     * The state of devices that read alike, without listing what is missing or unexpected: what counting many devices
     * at once needs ({@link DeviceService} counts them by these inputs).
     *
     * @param reportedVersion the version of the latest report, or null without one
     * @param installed       the installed set of that report (ignored without one)
     * @param failed          whether that report lists failures
     */
    static ComplianceState state(boolean stale, Long desiredVersion, Collection<String> desired,
            Long reportedVersion, Collection<String> installed, boolean failed) {
        boolean matches = reportedVersion == null || desiredVersion == null
                || new TreeSet<>(desired).equals(new TreeSet<>(installed));
        return state(stale, desiredVersion, reportedVersion, failed, matches);
    }

    private static ComplianceState state(boolean stale, Long desiredVersion, Long reportedVersion, boolean failed,
            boolean installedMatches) {
        if (stale) {
            return ComplianceState.STALE;
        } else if (desiredVersion == null || reportedVersion == null || reportedVersion < desiredVersion) {
            return ComplianceState.PENDING;
        } else if (failed) {
            return ComplianceState.FAILED;
        } else if (!installedMatches) {
            return ComplianceState.DRIFTED;
        }
        return ComplianceState.COMPLIANT;
    }
}
