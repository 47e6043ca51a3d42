package org.trustfleet.policy;

/** Outcome of one endpoint on one API level. */
public enum Verdict {
    /** The presented chain validates with the system store alone. */
    TRUSTED,
    /** Installing any one of the listed certificates makes it validate. */
    FIXABLE,
    /** No installation can fix it. */
    UNRESOLVED
}
