package org.trustfleet.device;

/** Whether an enrollment token can still enroll a device, and if not, why: what an admin sees in the token list. */
public enum EnrollmentTokenState {
    ACTIVE,
    EXPIRED,
    USED_UP,
    REVOKED
}
