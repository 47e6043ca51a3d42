package org.trustfleet.scan;

/** Outcome of one TLS probe; the same vocabulary as the scan result's {@code status} in the API. */
public enum ProbeStatus {
    /** Handshake completed; the presented chain was captured. */
    OK,
    /** TCP connection actively refused (RST), or no route to the host. */
    CONNECT_REFUSED,
    /** TCP connect did not complete within the connect timeout (typically a dropping firewall). */
    CONNECT_TIMEOUT,
    /** The host name could not be resolved (unknown, invalid, or the look-up timed out). */
    DNS_FAILURE,
    /** TCP connected but no TLS session resulted: alert, non-TLS peer, reset, or the handshake timed out. */
    HANDSHAKE_FAILED,
    /** Every resolved address is refused by {@link AddressGuard}; nothing was contacted. */
    BLOCKED_ADDRESS,
    /**
     * The endpoint speaks a mail protocol's STARTTLS, and the server's plain-text answers did not lead to TLS: it does
     * not offer STARTTLS, refused it, or did not speak the protocol.
     */
    STARTTLS_REFUSED
}
