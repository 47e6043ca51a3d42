package org.trustfleet.policy;

/** Recommendations that accompany a group's requirements. */
public enum AdviceCode {
    /** The server omits an intermediate: sending it is the durable, server-side fix. */
    SEND_INTERMEDIATE,
    /** From API 24 apps trust installed CAs only if they opt in through network_security_config. */
    USER_CA_OPT_IN,
    /** In a work profile, installed CAs are visible to work-profile apps only. */
    WORK_PROFILE_SCOPE,
    /** An {@code include} certificate was refused (expired, not yet valid, not a CA, unknown, or also excluded). */
    INCLUDE_REFUSED,
    /** The group's API-level range contains no level for which a platform store is known. */
    NO_STORE_FOR_RANGE,
    /**
     * The group covers no endpoint: the endpoints it named were deleted, or it covers every endpoint of a tenant that
     * has none. Given by {@code RequirementsService}, which knows the group's coverage, not by the engine. Kept last:
     * advice is ordered by code.
     */
    NO_ENDPOINTS
}
