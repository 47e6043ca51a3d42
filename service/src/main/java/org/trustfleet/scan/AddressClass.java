package org.trustfleet.scan;

/** Category of an IP address, so that refusals can say precisely why a target was not contacted. */
public enum AddressClass {
    /** Globally routable unicast: always allowed. */
    PUBLIC(false, false),
    /** 127/8, ::1. */
    LOOPBACK(true, false),
    /** RFC 1918 (10/8, 172.16/12, 192.168/16), IPv6 unique-local fc00::/7 and deprecated site-local fec0::/10. */
    PRIVATE(true, false),
    /** RFC 6598 carrier-grade NAT shared space 100.64/10. */
    SHARED_CGNAT(true, false),
    /** 169.254/16, fe80::/10. */
    LINK_LOCAL(true, false),
    /** Non-routable special-purpose ranges (0/8, 192.0.0/24, documentation, benchmarking, 240/4, 100::/64, 2001:db8::/32, 64:ff9b:1::/48). */
    RESERVED(true, false),
    /** 224/4, ff00::/8: never a TCP peer. */
    MULTICAST(false, true),
    /** 0.0.0.0, ::: on Linux a connect to these reaches the local host. */
    UNSPECIFIED(false, true),
    /** 255.255.255.255. */
    BROADCAST(false, true);

    private final boolean privateOrInternal;
    private final boolean neverContactable;

    AddressClass(boolean privateOrInternal, boolean neverContactable) {
        this.privateOrInternal = privateOrInternal;
        this.neverContactable = neverContactable;
    }

    /** Allowed only when {@link ScannerSettings#allowPrivateAddresses()} is set. */
    public boolean isPrivateOrInternal() {
        return privateOrInternal;
    }

    /** Refused even when private addresses are allowed: no unicast TCP peer can live there. */
    public boolean isNeverContactable() {
        return neverContactable;
    }

    String describe() {
        return switch (this) {
            case PUBLIC -> "a public address";
            case LOOPBACK -> "a loopback address";
            case PRIVATE -> "a private (site-local / unique-local) address";
            case SHARED_CGNAT -> "a carrier-grade NAT shared address (100.64.0.0/10)";
            case LINK_LOCAL -> "a link-local address";
            case RESERVED -> "a reserved, non-routable address";
            case MULTICAST -> "a multicast address";
            case UNSPECIFIED -> "the unspecified (any-local) address";
            case BROADCAST -> "the broadcast address";
        };
    }
}
