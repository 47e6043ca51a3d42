package org.trustfleet.policy;

/** State of the latest scan of an endpoint, as far as the policy engine cares. */
public enum ObservationStatus {
    /** A TLS handshake completed and the presented chain was recorded. */
    OK,
    /** The endpoint could not be reached or the handshake failed (refused, timeout, DNS, blocked address...). */
    UNREACHABLE,
    /** No scan result exists yet. */
    NOT_SCANNED
}
