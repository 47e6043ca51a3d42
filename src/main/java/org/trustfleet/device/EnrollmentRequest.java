package org.trustfleet.device;

/** The body of {@code POST /enroll}, sent by an agent. */
public record EnrollmentRequest(String enrollmentToken, String hardwareId, Integer apiLevel, String model,
        String agentVersion) {}
