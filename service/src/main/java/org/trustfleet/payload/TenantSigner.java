package org.trustfleet.payload;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.trustfleet.pki.CertificateEncoder;

/**
 * A tenant's payload signer: its key and certificate (naming the tenant) and the payload root that issued it.
 *
 * @param tenantId the tenant named in the signer certificate's subject ({@code OU=tenant:<uuid>})
 * @param signer   the signer certificate and its private key
 * @param root     the deployment payload root certificate that issued {@code signer}
 */
public record TenantSigner(UUID tenantId, SigningKey signer, X509Certificate root) {

    public TenantSigner {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(root, "root");
    }

    /** Signer certificate first, then the root: what goes into CMS and into the enrollment response. */
    public List<X509Certificate> chain() {
        return List.of(signer.certificate(), root);
    }

    /** {@link #chain()} as a PEM bundle (the enrollment response's {@code payloadSignerChain}). */
    public String chainPem() {
        return CertificateEncoder.toPem(chain());
    }
}
