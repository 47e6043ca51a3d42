package org.trustfleet.agent;

import java.util.Objects;

/** A delivered payload was refused; nothing was installed or removed and the agent state is unchanged. */
public final class PayloadRejectedException extends AgentException {

    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;

    public PayloadRejectedException(RejectionReason reason, String message) {
        this(reason, message, null);
    }

    public PayloadRejectedException(RejectionReason reason, String message, Throwable cause) {
        super(reason + ": " + message, -1, cause);
        this.reason = Objects.requireNonNull(reason);
    }

    public RejectionReason reason() {
        return reason;
    }
}
