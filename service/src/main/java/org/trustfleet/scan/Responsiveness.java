package org.trustfleet.scan;

/**
 * How an endpoint answered its last scheduled scan. A silent one (connect or handshake timeout) is fired first
 * among the endpoints due together and scanned within its own limit, so its timeout overlaps the rest of a sweep
 * instead of ending it ({@link ScanScheduler}, {@link ScanLimits}).
 */
public enum Responsiveness {
    /** It answered, or failed without waiting out a timeout (refused, TLS alert, DNS). */
    ANSWERED,
    /** The connect or the handshake timed out. */
    SILENT
}
