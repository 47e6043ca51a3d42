package org.trustfleet.device;

/** How far a device is from its group's desired certificate set, derived at read time. */
public enum ComplianceState {
    /** Reported the current version, no failures, installed exactly the desired set. */
    COMPLIANT,
    /** Has not reported the current version yet (or never reported, or its group was deleted). */
    PENDING,
    /** Reported the current version but installed set differs (missing or unexpected certificates). */
    DRIFTED,
    /** Reported the current version with install or remove errors. */
    FAILED,
    /** Not seen within {@code trustfleet.device.stale-after}. */
    STALE
}
