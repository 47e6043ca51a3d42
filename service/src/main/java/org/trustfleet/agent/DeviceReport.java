package org.trustfleet.agent;

import java.util.List;

/**
 * The body of {@code POST /api/v1/device/reports} as the agent sends it; the agent's own copy of the wire shape so
 * that it depends on the protocol, not on the server's classes.
 *
 * @param payloadVersion version of the last accepted payload, 0 before the first
 * @param installed      certificates listed by the last payload or owned by the agent that are present in the store
 * @param failures       failures of the last reconciliation
 * @param apiLevel       the device's Android API level
 */
public record DeviceReport(long payloadVersion, List<String> installed, List<ReportFailure> failures, int apiLevel) {

    public DeviceReport {
        installed = List.copyOf(installed);
        failures = List.copyOf(failures);
    }
}
