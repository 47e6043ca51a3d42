package org.trustfleet.tenant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Generation and hashing of bearer tokens (API keys, device tokens, enrollment tokens).
 *
 * <p>Tokens carry 256 random bits, so a plain SHA-256 is enough to store them: there is nothing to brute-force that
 * a slow hash would protect. Lookups go by hash; {@link #matches} compares in constant time.
 */
public final class BearerTokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    private BearerTokens() {}

    /** A new token {@code <prefix>_<43 base64url chars>}; the prefix tells humans what kind of token it is. */
    public static String generate(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    public static boolean matches(String token, byte[] storedHash) {
        return MessageDigest.isEqual(hash(token), storedHash);
    }

    /** The part of a token that may be shown in listings to tell keys apart. */
    public static String displayPrefix(String token) {
        return token.substring(0, Math.min(token.length(), 10));
    }
}
