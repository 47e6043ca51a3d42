package org.trustfleet.core;

/**
 * Every kind of failure the API can report; each maps to one HTTP status and one stable problem {@code type}.
 *
 * <p>The slug is part of the public contract (clients switch on {@code type}), so it never changes once released.
 */
public enum ErrorKind {
    VALIDATION(400, "validation", "The request is not valid"),
    MALFORMED_REQUEST(400, "malformed-request", "The request body could not be read"),
    UNAUTHENTICATED(401, "unauthenticated", "Authentication required"),
    FORBIDDEN(403, "forbidden", "Not allowed for this credential"),
    NOT_FOUND(404, "not-found", "Not found"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    NOT_ACCEPTABLE(406, "not-acceptable", "No acceptable representation"),
    CONFLICT(409, "conflict", "Conflict with the current state"),
    GONE(410, "gone", "No longer available"),
    PAYLOAD_TOO_LARGE(413, "payload-too-large", "Request body too large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported content type"),
    URI_TOO_LONG(414, "uri-too-long", "Request target too long"),
    HEADERS_TOO_LARGE(431, "headers-too-large", "Request header fields too large"),
    RATE_LIMITED(429, "rate-limited", "Too many requests"),
    INTERNAL(500, "internal", "Internal error"),
    UNAVAILABLE(503, "unavailable", "Service unavailable");

    private static final String TYPE_PREFIX = "urn:trustfleet:problem:";

    private final int status;
    private final String slug;
    private final String title;

    ErrorKind(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The stable problem type URI, e.g. {@code urn:trustfleet:problem:validation}. */
    public String type() {
        return TYPE_PREFIX + slug;
    }
}
