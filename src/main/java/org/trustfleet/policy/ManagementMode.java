package org.trustfleet.policy;

/** How the devices of a group are managed; decides who sees installed CA certificates. */
public enum ManagementMode {
    /** Device owner: installed CAs are in the device-wide user/admin store. */
    FULLY_MANAGED,
    /** Profile owner: installed CAs are visible to work-profile apps only. */
    WORK_PROFILE
}
