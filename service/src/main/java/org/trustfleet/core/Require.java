package org.trustfleet.core;

import java.util.UUID;

/**
 * Checks of values taken from paths and query strings, which arrive as text. Request bodies are checked by the Bean
 * Validation constraints of their records when they enter a service; what reads better as code stays here.
 */
public final class Require {
    private Require() {}

    /** A whole number given as text (a query parameter), or {@code null} when absent; 400 when it is not one. */
    public static Integer wholeNumber(String value, String field) {
        if (value == null) {
            return null;
        }
        try {
            return Integer.valueOf(value.strip());
        } catch (NumberFormatException e) {
            throw TrustfleetException.validation("'" + field + "' must be a whole number");
        }
    }

    /** Parses an id taken from a path; an id that is not a UUID names nothing, so it is "not found". */
    public static UUID id(String value, String what) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw TrustfleetException.notFound(what);
        }
    }
}
