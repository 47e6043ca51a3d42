package org.trustfleet.agent;

import java.util.List;

/**
 * Outcome of {@link ReferenceAgent#sync()} when the payload was not rejected.
 *
 * @param outcome    what happened
 * @param version    the version now applied (0 when none yet)
 * @param added      certificates written to the CA directory by this sync
 * @param removed    certificates removed by this sync (only ever ones the agent had installed)
 * @param failures   per-certificate failures of this reconciliation
 * @param reportSent a report was delivered (202) during this sync
 */
public record SyncResult(Outcome outcome, long version, List<String> added, List<String> removed,
        List<ReportFailure> failures, boolean reportSent) {

    /** Kinds of successful sync. */
    public enum Outcome {
        /** 304: nothing fetched, nothing changed. */
        NOT_MODIFIED,
        /** A new version was verified and applied. */
        APPLIED,
        /** The same version was re-delivered (e.g. refreshed expiresAt); the store was re-checked. */
        REFRESHED
    }

    public SyncResult {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        failures = List.copyOf(failures);
    }
}
