package org.trustfleet.agent;

import java.util.OptionalInt;

/**
 * The agent could not do its job: not enrolled, server unreachable, unexpected HTTP status (with the server's
 * problem document title/detail when there is one), bad enrollment response. {@link PayloadRejectedException} is
 * the subtype for payloads refused on security grounds.
 */
public class AgentException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int httpStatus;

    public AgentException(String message) {
        this(message, -1, null);
    }

    public AgentException(String message, Throwable cause) {
        this(message, -1, cause);
    }

    public AgentException(String message, int httpStatus, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
    }

    /** The HTTP status that caused this, when it came from a response. */
    public OptionalInt httpStatus() {
        return httpStatus < 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus);
    }
}
