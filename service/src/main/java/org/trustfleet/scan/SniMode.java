package org.trustfleet.scan;

/** Whether a probe sends Server Name Indication, so that SNI-dependent endpoints can be told apart. */
public enum SniMode {
    /** Send {@link ProbeTarget#sniName()} when there is one (serverName, or host when it is a name). */
    AUTO,
    /** Send no SNI at all, as old Android clients do. */
    DISABLED
}
