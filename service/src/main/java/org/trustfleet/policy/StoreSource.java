package org.trustfleet.policy;

/** Which device stores a group's requirements are computed for (the group's {@code storeSource}). */
public enum StoreSource {
    /** The platform stores: every known state of each level (the default). */
    BUNDLED,
    /**
     * The system stores the group's devices report, for the levels where they reported one (the platform stores
     * elsewhere): what the devices really have, OEM additions and removals included.
     */
    OBSERVED,
    /** Both: every bundled state and every observed store of a level must validate (a union of requirements). */
    BOTH
}
