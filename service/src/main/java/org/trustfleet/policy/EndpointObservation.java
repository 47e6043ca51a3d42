package org.trustfleet.policy;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The latest scan of one endpoint.
 *
 * @param hostname        the name to verify (SNI / serverName, or host)
 * @param presented       the chain exactly as the server sent it, leaf first
 * @param extraCandidates known intermediates from earlier scans and AIA-fetched issuers (never seen by a device)
 */
public record EndpointObservation(UUID endpointId, String hostname, ObservationStatus status, String statusDetail,
        List<X509Certificate> presented, List<X509Certificate> extraCandidates) {

    public EndpointObservation {
        Objects.requireNonNull(endpointId, "endpointId");
        Objects.requireNonNull(status, "status");
        presented = presented == null ? List.of() : List.copyOf(presented);
        extraCandidates = extraCandidates == null ? List.of() : List.copyOf(extraCandidates);
    }

    /** A successful scan. */
    public static EndpointObservation ok(UUID endpointId, String hostname, List<X509Certificate> presented,
            List<X509Certificate> extraCandidates) {
        return new EndpointObservation(endpointId, hostname, ObservationStatus.OK, null, presented, extraCandidates);
    }

    /** A failed scan. */
    public static EndpointObservation unreachable(UUID endpointId, String hostname, String detail) {
        return new EndpointObservation(endpointId, hostname, ObservationStatus.UNREACHABLE, detail, List.of(),
                List.of());
    }

    /** No scan yet. */
    public static EndpointObservation notScanned(UUID endpointId, String hostname) {
        return new EndpointObservation(endpointId, hostname, ObservationStatus.NOT_SCANNED, null, List.of(),
                List.of());
    }
}
