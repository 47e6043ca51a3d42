package org.trustfleet.payload;

import java.util.Objects;

/** A payload failed verification; {@link #reason()} says which check. Messages never include key material. */
public final class PayloadVerificationException extends Exception {

    private static final long serialVersionUID = 1L;

    private final VerificationFailure reason;
    private final String detail;

    public PayloadVerificationException(VerificationFailure reason, String detail) {
        this(reason, detail, null);
    }

    public PayloadVerificationException(VerificationFailure reason, String detail, Throwable cause) {
        super(reason + ": " + Objects.requireNonNullElse(detail, "no detail"), cause);
        this.reason = Objects.requireNonNull(reason);
        this.detail = Objects.requireNonNullElse(detail, "no detail");
    }

    public VerificationFailure reason() {
        return reason;
    }

    /** What failed, in one human sentence without the reason code (the message is {@code reason + ": " + detail}). */
    public String detail() {
        return detail;
    }
}
