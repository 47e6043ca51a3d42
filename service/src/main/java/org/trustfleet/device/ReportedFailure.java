package org.trustfleet.device;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.trustfleet.core.PlainText;

/** A certificate a device failed to install or remove, with the device's error text. */
public record ReportedFailure(String sha256, @NotBlank @Size(max = DeviceService.MAX_ERROR_CHARS) @PlainText(multiline = true) String error) {}
