package org.trustfleet.pki;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one certificate identifier used across Trustfleet: lowercase hex SHA-256 of the DER encoding. Trustfleet writes
 * ids in lower case; it reads them with one rule ({@link #parse}): 64 hex digits in either case, normalised to lower
 * case, so that an id copied from a tool that prints upper case names the same certificate.
 */
public final class Sha256 {

    private static final Pattern ID = Pattern.compile("[0-9a-fA-F]{64}");
    /**
     * Copied for each digest: looking the algorithm up in the providers on every call was a third of the time spent
     * fingerprinting during a platform store change, a copy of a fresh digest's state costs next to nothing.
     */
    private static final MessageDigest PROTOTYPE = newDigest();

    private Sha256() {
    }

    /** Lowercase hex SHA-256 of arbitrary bytes. */
    public static String hex(byte[] data) {
        return HexFormat.of().formatHex(digest().digest(data));
    }

    private static MessageDigest digest() {
        try {
            return (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return newDigest(); // a provider whose digest cannot be copied: look it up each time
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256, so this is a broken runtime, not an input problem.
            throw new IllegalStateException(e);
        }
    }

    /** Fingerprint of a certificate (over its DER encoding). */
    public static String of(X509Certificate certificate) {
        try {
            return hex(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }

    /**
     * The identity of a chain as presented: SHA-256 over the ids of its certificates, in order (an empty chain has
     * one too). Scan history, the no-SNI probe memo and verdict reuse all compare chains by it.
     */
    public static String ofChain(List<X509Certificate> chain) {
        return ofChainIds(chain.stream().map(Sha256::of).toList());
    }

    /** {@link #ofChain} from the certificates' ids, for a caller that has them already. */
    public static String ofChainIds(List<String> ids) {
        return hex(String.join(",", ids).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The one rule for reading a certificate id: exactly 64 hex digits, upper or lower case (no separators, no
     * surrounding space), returned in lower case; empty for anything else, including null.
     */
    public static Optional<String> parse(String value) {
        if (value == null || !ID.matcher(value).matches()) {
            return Optional.empty();
        }
        return Optional.of(value.toLowerCase(Locale.ROOT));
    }

    /** Whether {@code value} is a certificate id under {@link #parse}'s rule. */
    public static boolean isId(String value) {
        return parse(value).isPresent();
    }
}
