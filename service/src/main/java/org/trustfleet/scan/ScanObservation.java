package org.trustfleet.scan;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The latest scan of one endpoint as the later stages (policy) need it: the outcome and the certificates already
 * parsed, so that no stage decodes the scan's API JSON or looks certificates up by fingerprint again.
 *
 * @param id         the scan's id
 * @param presented  the chain exactly as the server sent it, leaf first (empty when the scan failed)
 * @param completion the certificates of the completed path the server did not send (known intermediates, AIA-fetched
 *                   issuers, the root), in path order
 * @param serverChain the chain the scan proposed the server send ({@code serverFix}), leaf first; empty when none.
 *                    It may hold a cross-signed root known from elsewhere, which a group's own server fix needs
 * @param fingerprints each of those certificates' SHA-256, the one it was read by: the checks take it instead of
 *                     hashing the certificate again ({@code StoreIndex.memo(Map)})
 */
public record ScanObservation(UUID id, UUID endpointId, ProbeStatus status, String error,
        List<X509Certificate> presented, List<X509Certificate> completion, List<X509Certificate> serverChain,
        Map<X509Certificate, String> fingerprints) {

    public ScanObservation {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(endpointId, "endpointId");
        Objects.requireNonNull(status, "status");
        presented = List.copyOf(presented);
        completion = List.copyOf(completion);
        serverChain = serverChain == null ? List.of() : List.copyOf(serverChain);
        fingerprints = Map.copyOf(fingerprints);
    }
}
