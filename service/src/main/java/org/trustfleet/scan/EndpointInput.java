package org.trustfleet.scan;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.hibernate.validator.constraints.Range;
import org.trustfleet.core.PlainText;

/**
 * What an admin sends to create or replace an endpoint. The constraints are checked when it enters
 * {@link EndpointService}. {@code host} and {@code serverName} follow {@link org.trustfleet.pki.HostName}: a DNS name,
 * an IPv4 dotted quad or an IPv6 literal, never a port (it has its own field), a scheme or a path. {@code protocol} is a
 * {@link StartTlsProtocol} wire name; absent means {@code tls}.
 */
public record EndpointInput(
        @NotBlank @Size(max = 200) @PlainText String name,
        @NotBlank @Size(max = 253) @ValidHost String host,
        @NotNull @Range(min = 1, max = 65535) Integer port,
        @Size(max = 253) @ValidHost String serverName,
        @Range(min = 1, max = 10080) Integer scanIntervalMinutes,
        @Pattern(regexp = StartTlsProtocol.WIRE_PATTERN,
                message = "must be one of tls, smtp-starttls, imap-starttls, pop3-starttls") String protocol) {

    /** An endpoint spoken to in TLS from the first byte. */
    public EndpointInput(String name, String host, Integer port, String serverName, Integer scanIntervalMinutes) {
        this(name, host, port, serverName, scanIntervalMinutes, null);
    }
}
