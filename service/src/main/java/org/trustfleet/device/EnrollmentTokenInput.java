package org.trustfleet.device;

import jakarta.validation.constraints.NotNull;
import java.util.UUID;
import org.hibernate.validator.constraints.Range;

/** The body of {@code POST /tenants/{t}/enrollment-tokens}; checked when it enters {@link EnrollmentService}. */
public record EnrollmentTokenInput(
        @NotNull UUID deviceGroupId,
        @NotNull @Range(min = EnrollmentService.MIN_EXPIRY_SECONDS, max = EnrollmentService.MAX_EXPIRY_SECONDS)
        Integer expiresInSeconds,
        @NotNull @Range(min = 1, max = EnrollmentService.MAX_USES) Integer maxUses) {}
