package org.trustfleet.payload;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Encrypts private keys, and other secrets the service must read back (alert webhook signing secrets), at rest with
 * AES-256-GCM under a {@link MasterKey}.
 *
 * <p>Sealed format (version 1): {@code 0x01 | nonce (12 random bytes) | ciphertext | tag (16 bytes)}; plaintext is
 * the key's PKCS#8 DER; AAD is {@code "trustfleet.keyvault/v1" 0x00 keyId(UTF-8)}, so a sealed blob only opens under
 * the key id it was sealed for (records cannot be swapped). A fresh random nonce per encryption keeps GCM safe for far
 * more encryptions than a deployment performs (one per signing key).
 */
public final class KeyVault {

    /** First byte of every sealed blob. */
    public static final byte FORMAT_VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final byte[] AAD_PREFIX = "trustfleet.keyvault/v1\0".getBytes(StandardCharsets.US_ASCII);
    /** A different AAD for secrets than for keys: a sealed secret never opens as a key, nor the other way round. */
    private static final byte[] SECRET_AAD_PREFIX = "trustfleet.secret/v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MasterKey masterKey;

    public KeyVault(MasterKey masterKey) {
        this.masterKey = Objects.requireNonNull(masterKey, "masterKey");
    }

    /** Seals the private key for the record {@code keyId} (any stable, non-empty id, e.g. the signing key's UUID). */
    public byte[] encrypt(String keyId, PrivateKey key) {
        Objects.requireNonNull(key, "key");
        byte[] plain = key.getEncoded();
        if (plain == null) {
            throw new IllegalArgumentException("private key is not exportable as PKCS#8");
        }
        try {
            return seal(aad(AAD_PREFIX, keyId), plain);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** Opens a blob sealed by {@link #encrypt} for the same {@code keyId}. */
    public PrivateKey decrypt(String keyId, byte[] sealed) {
        byte[] plain = open(aad(AAD_PREFIX, keyId), sealed, "key '" + keyId + "'");
        try {
            return new JcaPEMKeyConverter().getPrivateKey(PrivateKeyInfo.getInstance(plain));
        } catch (PEMException | RuntimeException e) {
            throw new KeyVaultException("key '" + keyId + "' decrypted but is not a PKCS#8 private key");
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** Seals a secret of the record {@code recordId} (e.g. an alert channel's id) as base64 text for a column. */
    public String sealSecret(String recordId, String secret) {
        return Base64.getEncoder().encodeToString(seal(aad(SECRET_AAD_PREFIX, recordId),
                secret.getBytes(StandardCharsets.UTF_8)));
    }

    /** Opens a secret sealed by {@link #sealSecret} for the same {@code recordId}. */
    public String openSecret(String recordId, String sealed) {
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(sealed);
        } catch (IllegalArgumentException e) {
            throw new KeyVaultException("sealed secret of '" + recordId + "' is not base64");
        }
        return new String(open(aad(SECRET_AAD_PREFIX, recordId), blob, "secret of '" + recordId + "'"),
                StandardCharsets.UTF_8);
    }

    private byte[] seal(byte[] aad, byte[] plain) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, masterKey.secretKey(), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad);
            byte[] ct = c.doFinal(plain);
            return ByteBuffer.allocate(1 + NONCE_BYTES + ct.length).put(FORMAT_VERSION).put(nonce).put(ct).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    private byte[] open(byte[] aad, byte[] sealed, String what) {
        if (sealed == null || sealed.length < 1 + NONCE_BYTES + TAG_BITS / 8 + 1) {
            throw new KeyVaultException("sealed " + what + " is truncated or empty");
        }
        if (sealed[0] != FORMAT_VERSION) {
            throw new KeyVaultException("sealed " + what + " has unknown format version " + sealed[0]);
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, masterKey.secretKey(),
                    new GCMParameterSpec(TAG_BITS, sealed, 1, NONCE_BYTES));
            c.updateAAD(aad);
            return c.doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new KeyVaultException("cannot decrypt " + what
                    + ": authentication failed (wrong master key, tampered data, or sealed for another key id or record)");
        } catch (GeneralSecurityException e) {
            throw new KeyVaultException("cannot decrypt " + what, e);
        }
    }

    private static byte[] aad(byte[] prefix, String recordId) {
        if (recordId == null || recordId.isEmpty()) {
            throw new IllegalArgumentException("the record id must not be empty");
        }
        byte[] id = recordId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(prefix.length + id.length).put(prefix).put(id).array();
    }
}
