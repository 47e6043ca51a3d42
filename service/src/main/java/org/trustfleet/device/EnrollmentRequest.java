package org.trustfleet.device;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.hibernate.validator.constraints.Range;
import org.trustfleet.core.PlainText;

/** The body of {@code POST /enroll}, sent by an agent; checked when it enters {@link EnrollmentService}. */
public record EnrollmentRequest(
        @NotBlank @Size(max = 200) @PlainText String enrollmentToken,
        @NotBlank @Size(max = 200) @PlainText String hardwareId,
        @NotNull @Range(min = 1, max = 100) Integer apiLevel,
        @Size(max = 200) @PlainText String model,
        @Size(max = 200) @PlainText String agentVersion) {}
