package org.trustfleet.alert;

/**
 * The kinds of alert events. The names are the stable codes of the API, the payloads and the channel filters: never
 * renamed once released.
 */
public enum AlertEventType {
    /** Some Android API levels stopped trusting an endpoint's chain (the levels are named). */
    ENDPOINT_UNTRUSTED,
    /** API levels that did not trust an endpoint trust it again. */
    ENDPOINT_TRUSTED_AGAIN,
    /** The presented chain changed: leaf renewed, intermediate swapped, root changed or reordered. */
    CHAIN_CHANGED,
    /** A certificate an endpoint presents or a group delivers expires within one of the configured thresholds. */
    CERTIFICATE_EXPIRING,
    /** An endpoint failed to connect for the configured number of consecutive scans. */
    ENDPOINT_UNREACHABLE,
    /** An endpoint reported unreachable connected again. */
    ENDPOINT_RECOVERED,
    /** A device group's requirement set got a new version (certificates added and removed). */
    REQUIREMENTS_CHANGED,
    /** The share of a group's devices not COMPLIANT stayed above the threshold for the configured period. */
    GROUP_NONCOMPLIANT,
    /** A group reported non-compliant is back under the threshold. */
    GROUP_COMPLIANT_AGAIN,
    /** Sent by "send test" on a channel; never raised by a real cause. */
    TEST
}
