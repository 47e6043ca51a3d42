package org.trustfleet.payload;

/** A sealed key cannot be opened: wrong master key, tampered or truncated data, or a key id that does not match. */
public final class KeyVaultException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public KeyVaultException(String message) {
        super(message);
    }

    public KeyVaultException(String message, Throwable cause) {
        super(message, cause);
    }
}
