package org.trustfleet.agent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Outcome of {@link ReferenceAgent#sync()} when the payload was not rejected. */
public final class SyncResult {

    /** Kinds of successful sync. */
    public enum Outcome {
        /** 304: nothing fetched, nothing changed. */
        NOT_MODIFIED,
        /** A new version was verified and applied. */
        APPLIED,
        /** The same version was re-delivered (e.g. refreshed expiresAt); the store was re-checked. */
        REFRESHED
    }

    private final Outcome outcome;
    private final long version;
    private final List<String> added;
    private final List<String> removed;
    private final List<ReportFailure> failures;
    private final boolean reportSent;
    private final List<EndpointCheck> verifications;

    /**
     * @param outcome       what happened
     * @param version       the version now applied (0 when none yet)
     * @param added         certificates installed by this sync
     * @param removed       certificates removed by this sync (only ever ones the agent had installed)
     * @param failures      per-certificate failures of this reconciliation
     * @param reportSent    a report was delivered (202) during this sync
     * @param verifications the endpoint checks this sync ran (empty when none were due)
     */
    public SyncResult(Outcome outcome, long version, List<String> added, List<String> removed,
            List<ReportFailure> failures, boolean reportSent, List<EndpointCheck> verifications) {
        this.outcome = outcome;
        this.version = version;
        this.added = Collections.unmodifiableList(new ArrayList<String>(added));
        this.removed = Collections.unmodifiableList(new ArrayList<String>(removed));
        this.failures = Collections.unmodifiableList(new ArrayList<ReportFailure>(failures));
        this.reportSent = reportSent;
        this.verifications = Collections.unmodifiableList(new ArrayList<EndpointCheck>(verifications));
    }

    public Outcome outcome() { return outcome; }
    public long version() { return version; }
    public List<String> added() { return added; }
    public List<String> removed() { return removed; }
    public List<ReportFailure> failures() { return failures; }
    public boolean reportSent() { return reportSent; }
    public List<EndpointCheck> verifications() { return verifications; }
}
