package org.trustfleet.core;

import java.util.UUID;

/** Input checks shared by every service, each failing with a validation error that names the field. */
public final class Require {
    private Require() {}

    /** A non-blank text of at most {@code max} characters, returned trimmed. */
    public static String text(String value, String field, int max) {
        if (value == null || value.isBlank()) {
            throw TrustfleetException.validation("'" + field + "' is required and must not be blank");
        }
        String trimmed = value.strip();
        if (trimmed.length() > max) {
            throw TrustfleetException.validation("'" + field + "' must be at most " + max + " characters");
        }
        return trimmed;
    }

    public static int range(Integer value, String field, int min, int max) {
        if (value == null) {
            throw TrustfleetException.validation("'" + field + "' is required");
        }
        if (value < min || value > max) {
            throw TrustfleetException.validation("'" + field + "' must be between " + min + " and " + max);
        }
        return value;
    }

    public static <T> T present(T value, String field) {
        if (value == null) {
            throw TrustfleetException.validation("'" + field + "' is required");
        }
        return value;
    }

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
