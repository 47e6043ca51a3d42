package org.trustfleet.payload;

/** The bytes are not a valid {@code trustfleet.payload/v1} document (syntax, schema, missing field, bad value). */
public final class PayloadFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PayloadFormatException(String message) {
        super(message);
    }

    public PayloadFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
