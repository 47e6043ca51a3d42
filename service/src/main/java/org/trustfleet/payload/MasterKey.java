package org.trustfleet.payload;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The 256-bit AES key that encrypts signing keys at rest. Comes from configuration (standard base64 of 32 bytes) or
 * is generated once into the data directory. {@link #toString()} never reveals it.
 */
public final class MasterKey {

    /** Key length in bytes. */
    public static final int LENGTH = 32;

    private final byte[] key;

    private MasterKey(byte[] key) {
        this.key = key;
    }

    /** 32 random bytes from {@link SecureRandom}. */
    public static MasterKey generate() {
        byte[] k = new byte[LENGTH];
        new SecureRandom().nextBytes(k);
        return new MasterKey(k);
    }

    /** Parses standard base64 (surrounding whitespace ignored) of exactly 32 bytes. */
    public static MasterKey fromBase64(String base64) {
        if (base64 == null) {
            throw new IllegalArgumentException("master key is missing");
        }
        byte[] k;
        try {
            k = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("master key is not valid base64");
        }
        if (k.length != LENGTH) {
            Arrays.fill(k, (byte) 0);
            throw new IllegalArgumentException("master key must be " + LENGTH + " bytes (AES-256), got " + k.length);
        }
        return new MasterKey(k);
    }

    /** Standard base64 of the key, for writing it to the data directory. Handle as a secret. */
    public String toBase64() {
        return Base64.getEncoder().encodeToString(key);
    }

    /**
     * A non-secret identifier of this key (first 8 bytes of SHA-256 over a domain-separated input, hex), to tell which
     * master key encrypted what without revealing it.
     */
    public String fingerprint() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update("trustfleet.master-key.fingerprint".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(md.digest(key), 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    SecretKey secretKey() {
        return new SecretKeySpec(key, "AES");
    }

    @Override
    public String toString() {
        return "MasterKey[fingerprint=" + fingerprint() + "]";
    }
}
