package org.trustfleet.scan;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * One step of AIA chain completion: for {@code certificate}, which issuer was fetched from which URL, or why none.
 *
 * @param certificate the certificate whose issuer was looked up
 * @param status      {@link AiaStatus#FETCHED} when {@code issuer} is set, otherwise the reason it is unavailable
 * @param issuer      the fetched certificate whose key verifies {@code certificate}'s signature, or {@code null}
 * @param issuerUrl   the caIssuers URL {@code issuer} came from, or {@code null}
 * @param attempts    every URL tried, in order (empty for NO_AIA_EXTENSION)
 * @param detail      one human sentence on failure, {@code null} on success
 */
public record AiaHop(
        X509Certificate certificate,
        AiaStatus status,
        X509Certificate issuer,
        String issuerUrl,
        List<AiaFetch> attempts,
        String detail) {

    public AiaHop {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(status, "status");
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
    }

    public boolean isFetched() {
        return status == AiaStatus.FETCHED;
    }
}
