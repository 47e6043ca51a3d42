package org.trustfleet.pki;

/**
 * Raised when uploaded or scanned certificate bytes cannot be turned into certificates; says which block failed so an
 * admin can fix the exact part of a pasted bundle.
 */
public final class CertificateParseException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int blockIndex;

    /**
     * @param blockIndex 1-based index of the failing block (PEM block, or certificate inside a PKCS#7), 0 when the
     *                   failure concerns the input as a whole
     */
    public CertificateParseException(int blockIndex, String reason, Throwable cause) {
        super(blockIndex > 0 ? "block " + blockIndex + ": " + reason : reason, cause);
        this.blockIndex = blockIndex;
    }

    public CertificateParseException(int blockIndex, String reason) {
        this(blockIndex, reason, null);
    }

    /** 1-based index of the failing block, or 0 when the whole input is at fault. */
    public int blockIndex() {
        return blockIndex;
    }
}
