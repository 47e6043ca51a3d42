package org.trustfleet.payload;

import java.time.Instant;

/**
 * The public facts of a tenant's active payload signer, for admins: what devices receive at enrollment and the
 * root fingerprint to pre-provision (e.g. the reference agent's {@code --root-sha256}). Never holds a key.
 *
 * @param signerSha256 SHA-256 of the signer certificate
 * @param notAfter     when the signer certificate expires
 * @param chainPem     signer certificate, then the payload root (PEM)
 * @param rootSha256   SHA-256 of the payload root certificate (what devices pin)
 */
public record SignerInfo(String signerSha256, Instant notAfter, String chainPem, String rootSha256) {}
