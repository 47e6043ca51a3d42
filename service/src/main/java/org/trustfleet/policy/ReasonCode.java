package org.trustfleet.policy;

/** Why a certificate is in a group's requirements. */
public enum ReasonCode {
    /**
     * A CA certificate that is not a self-signed root: either one the server failed to send, or a presented intermediate
     * above which the path fails (installed, it becomes an anchor in its own right).
     */
    MISSING_INTERMEDIATE,
    /** A public self-signed root that is absent from the system store of these API levels. */
    UNTRUSTED_ROOT,
    /** One of the tenant's own CAs (not in any platform store). */
    PRIVATE_ANCHOR,
    /** The group's {@code include} override. */
    INCLUDED_BY_POLICY,
    /**
     * A public root some of the group's devices lack: a system store they reported (an observed store, the group's
     * {@code storeSource} being OBSERVED or BOTH) does not hold it although a platform store does.
     */
    OBSERVED_STORE_LACKS_ROOT
}
