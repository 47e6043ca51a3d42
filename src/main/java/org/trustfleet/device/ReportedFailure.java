package org.trustfleet.device;

/** A certificate a device failed to install or remove, with the device's error text. */
public record ReportedFailure(String sha256, String error) {}
