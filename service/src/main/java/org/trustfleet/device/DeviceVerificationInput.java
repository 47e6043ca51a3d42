package org.trustfleet.device;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.UUID;
import org.trustfleet.core.PlainText;

/**
 * The body of {@code POST /device/verifications}: per endpoint of the device's group, what the device's own
 * validator said. The constraints are checked when it enters {@link DeviceVerificationService}, which checks in code
 * that each endpoint is one of the group's and that each chain entry is a certificate.
 */
public record DeviceVerificationInput(
        @NotNull @PositiveOrZero Long payloadVersion,
        @NotNull @Size(max = DeviceVerificationService.MAX_RESULTS, message = "must have at most {max} entries")
        List<@NotNull(message = "must not contain null") @Valid Result> results) {

    /** One endpoint's outcome; {@code chain} (standard base64 DER, leaf first) only for {@code UNTRUSTED}. */
    public record Result(
            @NotNull UUID endpointId,
            @NotNull VerificationOutcome outcome,
            @Size(max = DeviceVerificationService.MAX_DETAIL_CHARS) @PlainText(multiline = true) String detail,
            @Size(max = DeviceVerificationService.MAX_CHAIN, message = "must have at most {max} entries")
            List<@NotBlank(message = "must not contain blank entries") String> chain) {}
}
