package org.trustfleet.agent;

import java.util.Objects;

/**
 * A delivered payload was refused; nothing was installed or removed and the agent state is unchanged. The reason
 * code and the human detail are separate fields, so callers never parse the message.
 */
public final class PayloadRejectedException extends AgentException {

    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;
    private final String detail;

    public PayloadRejectedException(RejectionReason reason, String detail) {
        this(reason, detail, null);
    }

    public PayloadRejectedException(RejectionReason reason, String detail, Throwable cause) {
        super(Objects.requireNonNull(reason, "reason") + ": " + Objects.requireNonNull(detail, "detail"), -1, cause);
        this.reason = reason;
        this.detail = detail;
    }

    /** Which check refused the payload. */
    public RejectionReason reason() {
        return reason;
    }

    /** What exactly was wrong, in one human sentence without the reason code. */
    public String detail() {
        return detail;
    }
}
