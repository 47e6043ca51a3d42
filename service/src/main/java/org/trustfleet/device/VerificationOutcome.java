package org.trustfleet.device;

/** What a device found when it connected to an endpoint itself, with its platform's default trust manager. */
public enum VerificationOutcome {
    /** The handshake succeeded and the device's validator accepted the chain for the endpoint's name. */
    TRUSTED,
    /** The device reached the endpoint but its validator rejected the chain (the chain it received is kept). */
    UNTRUSTED,
    /** The device could not complete a handshake: refused, timeout, DNS, a TLS error, an unknown protocol. */
    UNREACHABLE
}
