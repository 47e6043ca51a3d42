package org.trustfleet.device;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.hibernate.validator.constraints.Range;

/**
 * The body of {@code POST /device/reports}: what the agent applied and what it holds. The constraints are checked
 * when it enters {@link DeviceService}, which checks the SHA-256 entries in code.
 */
public record DeviceReportInput(
        @NotNull @PositiveOrZero Long payloadVersion,
        @NotNull @Size(max = DeviceService.MAX_ENTRIES, message = "must have at most {max} entries")
        List<String> installed,
        @Size(max = DeviceService.MAX_ENTRIES, message = "must have at most {max} entries")
        List<@NotNull(message = "must not contain null") @Valid ReportedFailure> failures,
        @NotNull @Range(min = 1, max = 100) Integer apiLevel) {}
