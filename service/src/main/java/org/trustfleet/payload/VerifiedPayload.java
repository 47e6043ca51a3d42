package org.trustfleet.payload;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;

/**
 * A payload whose CMS signature, signer chain and tenant have been checked.
 *
 * @param content     the exact encapsulated bytes that were signed (the canonical JSON)
 * @param document    {@code content} parsed
 * @param signer      the signer certificate that verified
 * @param signingTime the signing-time signed attribute, if present (informational: the signer's claim)
 */
public record VerifiedPayload(byte[] content, PayloadDocument document, X509Certificate signer,
        Optional<Instant> signingTime) {

    @Override
    public byte[] content() {
        return content.clone();
    }
}
