package org.trustfleet.scan;

import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Result of fetching one caIssuers URL, kept so that findings can say what was fetched from where, or why not.
 *
 * @param url          the URL as written in the certificate
 * @param status       {@link AiaStatus#FETCHED} or the failure
 * @param certificates certificates parsed from the body (empty on failure)
 * @param address      the address contacted (or refused), {@code null} when none
 * @param httpStatus   final HTTP status code, 0 when no response was received
 * @param contentType  the response's Content-Type header, {@code null} when absent
 * @param duration     time spent on the network (zero when served from cache)
 * @param fromCache    served from the in-memory cache
 * @param detail       one human sentence on failure, {@code null} on success
 */
public record AiaFetch(
        String url,
        AiaStatus status,
        List<X509Certificate> certificates,
        InetAddress address,
        int httpStatus,
        String contentType,
        Duration duration,
        boolean fromCache,
        String detail) {

    public AiaFetch {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(duration, "duration");
        certificates = certificates == null ? List.of() : List.copyOf(certificates);
    }

    public boolean isOk() {
        return status == AiaStatus.FETCHED;
    }

    AiaFetch asCached() {
        return new AiaFetch(url, status, certificates, address, httpStatus, contentType, Duration.ZERO, true, detail);
    }
}
