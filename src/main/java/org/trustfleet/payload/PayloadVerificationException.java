package org.trustfleet.payload;

import java.util.Objects;

/** A payload failed verification; {@link #reason()} says which check. Messages never include key material. */
public final class PayloadVerificationException extends Exception {

    private static final long serialVersionUID = 1L;

    private final VerificationFailure reason;

    public PayloadVerificationException(VerificationFailure reason, String message) {
        super(reason + ": " + message);
        this.reason = Objects.requireNonNull(reason);
    }

    public PayloadVerificationException(VerificationFailure reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = Objects.requireNonNull(reason);
    }

    public VerificationFailure reason() {
        return reason;
    }
}
