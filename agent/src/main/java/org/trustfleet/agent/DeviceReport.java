package org.trustfleet.agent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * The body of {@code POST /api/v1/device/reports} as the agent sends it: the agent's own copy of the wire shape, so
 * that it depends on the protocol, not on the server's classes.
 */
public final class DeviceReport {

    private final long payloadVersion;
    private final List<String> installed;
    private final List<ReportFailure> failures;
    private final int apiLevel;

    public DeviceReport(long payloadVersion, List<String> installed, List<ReportFailure> failures, int apiLevel) {
        this.payloadVersion = payloadVersion;
        this.installed = Collections.unmodifiableList(new ArrayList<String>(installed));
        this.failures = Collections.unmodifiableList(new ArrayList<ReportFailure>(failures));
        this.apiLevel = apiLevel;
    }

    /** Version of the last accepted payload, 0 before the first. */
    public long payloadVersion() { return payloadVersion; }
    /** Certificates listed by the last payload or owned by the agent that are present in the store. */
    public List<String> installed() { return installed; }
    /** Failures of the last reconciliation. */
    public List<ReportFailure> failures() { return failures; }
    /** The device's Android API level. */
    public int apiLevel() { return apiLevel; }

    JSONObject toJson() {
        JSONArray f = new JSONArray();
        for (ReportFailure r : failures) {
            f.put(new JSONObject().put("sha256", r.sha256()).put("error", r.error()));
        }
        return new JSONObject().put("payloadVersion", payloadVersion).put("installed", new JSONArray(installed))
                .put("failures", f).put("apiLevel", apiLevel);
    }
}
