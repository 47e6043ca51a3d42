package org.trustfleet.scan;

import java.net.InetAddress;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one TLS probe observed, recorded verbatim (chain in the order the server sent it) so that path building and
 * Android-style validation can happen later without contacting the server again.
 *
 * @param target      what was probed
 * @param sniMode     whether SNI was allowed for this attempt
 * @param sniSent     the SNI host name actually sent, or {@code null} when none was sent
 * @param status      outcome
 * @param address     the address connected to (or refused), {@code null} when DNS failed
 * @param chain       certificates exactly as presented, leaf first as sent; may be non-empty on HANDSHAKE_FAILED when
 *                    the server sent its Certificate message before the failure
 * @param tlsVersion  negotiated protocol (e.g. {@code TLSv1.3}), {@code null} unless OK
 * @param cipherSuite negotiated cipher suite, {@code null} unless OK
 * @param startedAt   wall-clock start
 * @param duration    total time including DNS, connect and handshake
 * @param errorDetail one human sentence on failure, {@code null} on OK
 */
public record ProbeResult(
        ProbeTarget target,
        SniMode sniMode,
        String sniSent,
        ProbeStatus status,
        InetAddress address,
        List<X509Certificate> chain,
        String tlsVersion,
        String cipherSuite,
        Instant startedAt,
        Duration duration,
        String errorDetail) {

    public ProbeResult {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(sniMode, "sniMode");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(duration, "duration");
        chain = chain == null ? List.of() : List.copyOf(chain);
    }

    public boolean isOk() {
        return status == ProbeStatus.OK;
    }

    public Optional<String> error() {
        return Optional.ofNullable(errorDetail);
    }

    /** DER encodings of {@link #chain()} in presented order (fresh copies: byte arrays are mutable). */
    public List<byte[]> chainDer() {
        List<byte[]> out = new ArrayList<>(chain.size());
        for (X509Certificate c : chain) {
            try {
                out.add(c.getEncoded());
            } catch (CertificateEncodingException e) {
                // JDK certificates parsed from the wire always keep their original encoding.
                throw new IllegalStateException("presented certificate has no encoding", e);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "ProbeResult[" + target + ", sni=" + sniSent + ", " + status
                + (address == null ? "" : ", " + address.getHostAddress())
                + ", chain=" + chain.size() + (tlsVersion == null ? "" : ", " + tlsVersion + " " + cipherSuite)
                + ", " + duration.toMillis() + " ms" + (errorDetail == null ? "" : ", " + errorDetail) + "]";
    }
}
