package org.trustfleet.scan;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Result of following AIA caIssuers from a certificate towards a root, so the scanner can report AIA_FETCHED per
 * certificate obtained, or AIA_UNAVAILABLE with the reason the walk stopped.
 *
 * @param start   the certificate the walk started from
 * @param fetched issuers obtained, nearest first (fetched.get(0) issued start)
 * @param hops    one entry per look-up performed, in order (the last one carries the failure when UNAVAILABLE)
 * @param stop    why the walk ended
 */
public record AiaCompletion(X509Certificate start, List<X509Certificate> fetched, List<AiaHop> hops, Stop stop) {

    /** Why a completion walk ended. */
    public enum Stop {
        /** Reached a self-signed certificate (a root, or a self-signed leaf). */
        SELF_SIGNED,
        /** The hop limit was reached before a self-signed certificate. */
        MAX_HOPS,
        /** The last hop could not fetch a verified issuer; see its status and detail. */
        UNAVAILABLE,
        /** A fetched issuer was already on the path (cross-signing loop); the walk stopped before repeating it. */
        LOOP
    }

    public AiaCompletion {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(stop, "stop");
        fetched = List.copyOf(fetched);
        hops = List.copyOf(hops);
    }

    /** The hop that failed, when the walk stopped as UNAVAILABLE. */
    public Optional<AiaHop> failure() {
        if (stop != Stop.UNAVAILABLE || hops.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(hops.get(hops.size() - 1));
    }
}
