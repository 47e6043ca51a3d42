package org.trustfleet.policy;

/**
 * How the devices of a group are owned and managed (Android Enterprise's deployment scenarios). It decides where an
 * installed CA certificate lands and who sees it, so the advice and every console export ask it rather than
 * re-deriving that from the name.
 */
public enum ManagementMode {
    /** Company-owned, device owner: installed CAs are in the device-wide user/admin store. */
    FULLY_MANAGED(false),
    /** Company-owned dedicated device (kiosk), device owner: like fully managed. */
    DEDICATED(false),
    /**
     * Company-owned with a work profile (COPE): the device owner family in the consoles, but installed CAs are
     * visible to work-profile apps only.
     */
    CORPORATE_OWNED_WORK_PROFILE(true),
    /** Personally owned with a work profile (profile owner): installed CAs are visible to work-profile apps only. */
    WORK_PROFILE(true),
    /** AOSP devices (no Google Mobile Services) managed as device owner: installed CAs are device-wide. */
    AOSP(false);

    private final boolean workProfileScope;

    ManagementMode(boolean workProfileScope) {
        this.workProfileScope = workProfileScope;
    }

    /** Whether installed CA certificates reach work-profile apps only (personal apps keep failing). */
    public boolean workProfileScope() {
        return workProfileScope;
    }
}
