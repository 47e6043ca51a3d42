package org.trustfleet.device;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.hibernate.validator.constraints.Range;
import org.trustfleet.core.PlainText;
import org.trustfleet.truststore.ObservedStoreService;

/**
 * The body of {@code POST /device/observations}: the device's facts and the SHA-256 set of its system CA store. The
 * constraints are checked when it enters {@link DeviceObservationService}, which checks each id in code.
 */
public record DeviceObservationInput(
        @NotNull @Valid Facts facts,
        @NotNull @Size(max = ObservedStoreService.MAX_ENTRIES, message = "must have at most {max} entries")
        List<@NotNull(message = "must not contain null") String> systemStore) {

    /** What the device is; {@code mainlineVersion} is null where the Conscrypt/mainline version is unreadable. */
    public record Facts(
            @Size(max = 100) @PlainText String manufacturer,
            @Size(max = 100) @PlainText String model,
            @Size(max = 100) @PlainText String release,
            @NotNull @Range(min = 1, max = 100) Integer apiLevel,
            @Size(max = 100) @PlainText String securityPatch,
            @Size(max = 100) @PlainText String mainlineVersion) {}
}
