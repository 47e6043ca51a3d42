package org.trustfleet.device;

import java.util.List;

/**
 * A device's compliance and the differences behind it.
 *
 * @param desiredVersion  the group's current requirements version (null when the group was deleted)
 * @param reportedVersion the payload version of the device's latest report (null before the first report)
 * @param missing         desired certificates the device did not report as installed
 * @param unexpected      reported certificates that are not in the desired set
 * @param failures        the failures of the latest report
 */
public record ComplianceView(ComplianceState state, Long desiredVersion, Long reportedVersion, List<String> missing,
        List<String> unexpected, List<ReportedFailure> failures) {}
