package org.trustfleet.core;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The one internal error type: services throw it with a kind and a sentence a user can act on;
 * the web edge turns it into {@code application/problem+json} and nothing else does.
 *
 * <p>The detail must never contain secrets or internals: it is shown to the caller as is.
 */
public final class TrustfleetException extends RuntimeException {
    private final ErrorKind kind;
    private final List<String> errors;
    private Duration retryAfter;

    public TrustfleetException(ErrorKind kind, String detail) {
        this(kind, detail, List.of(), null);
    }

    public TrustfleetException(ErrorKind kind, String detail, List<String> errors) {
        this(kind, detail, errors, null);
    }

    public TrustfleetException(ErrorKind kind, String detail, Throwable cause) {
        this(kind, detail, List.of(), cause);
    }

    private TrustfleetException(ErrorKind kind, String detail, List<String> errors, Throwable cause) {
        super(detail, cause);
        this.kind = kind;
        this.errors = List.copyOf(errors);
    }

    public ErrorKind kind() {
        return kind;
    }

    /** Individual field problems of a validation failure, each a sentence naming the field. */
    public List<String> errors() {
        return errors;
    }

    /** When the caller may try again (rate limiting); the web edge turns it into a Retry-After header. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** Too many attempts: the caller must wait {@code retryAfter} before trying again. */
    public static TrustfleetException rateLimited(String detail, Duration retryAfter) {
        TrustfleetException e = new TrustfleetException(ErrorKind.RATE_LIMITED, detail);
        e.retryAfter = retryAfter;
        return e;
    }

    /** Overloaded for now (a full queue): the caller may try again after {@code retryAfter}; 503 at the edge. */
    public static TrustfleetException unavailable(String detail, Duration retryAfter) {
        TrustfleetException e = new TrustfleetException(ErrorKind.UNAVAILABLE, detail);
        e.retryAfter = retryAfter;
        return e;
    }

    public static TrustfleetException validation(String detail) {
        return new TrustfleetException(ErrorKind.VALIDATION, detail);
    }

    public static TrustfleetException notFound(String what) {
        return new TrustfleetException(ErrorKind.NOT_FOUND, what + " not found");
    }

    public static TrustfleetException conflict(String detail) {
        return new TrustfleetException(ErrorKind.CONFLICT, detail);
    }
}
