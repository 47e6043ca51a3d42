package org.trustfleet.scan;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.hibernate.validator.constraints.Range;

/**
 * What an admin sends to create or replace an endpoint. The constraints are checked when it enters
 * {@link EndpointService}; the host name rules (IDN, labels, IP literals) are checked there in code.
 */
public record EndpointInput(
        @NotBlank @Size(max = 200) String name,
        @NotBlank @Size(max = 253) String host,
        @NotNull @Range(min = 1, max = 65535) Integer port,
        @Size(max = 253) String serverName,
        @Range(min = 1, max = 10080) Integer scanIntervalMinutes) {}
