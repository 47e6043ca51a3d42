package org.trustfleet.device;

import java.util.List;

/** The body of {@code POST /device/reports}: what the agent applied and what it holds. */
public record DeviceReportInput(Long payloadVersion, List<String> installed, List<ReportedFailure> failures,
        Integer apiLevel) {}
