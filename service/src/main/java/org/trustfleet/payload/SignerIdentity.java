package org.trustfleet.payload;

import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.UUID;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/** How a payload signer certificate names its tenant: exactly one {@code OU=tenant:<lowercase uuid>} in the subject. */
public final class SignerIdentity {

    /** Prefix of the organizational-unit value carrying the tenant id. */
    public static final String TENANT_OU_PREFIX = "tenant:";
    /** Common name of every tenant signer certificate. */
    public static final String SIGNER_CN = "Trustfleet Payload Signer";
    /** Common-name prefix of the deployment payload root ({@code "Trustfleet Payload Root <id>"}). */
    public static final String ROOT_CN_PREFIX = "Trustfleet Payload Root ";
    /** Organization of both. */
    public static final String ORGANIZATION = "Trustfleet";

    private SignerIdentity() {
    }

    /**
     * The tenant named by the certificate, or empty when the subject holds no, several, or a malformed
     * {@code OU=tenant:} value.
     */
    public static Optional<UUID> tenantOf(X509Certificate certificate) {
        try {
            X500Name name = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
            UUID found = null;
            for (RDN rdn : name.getRDNs()) {
                for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
                    if (!atv.getType().equals(BCStyle.OU)) {
                        continue;
                    }
                    ASN1Encodable v = atv.getValue();
                    if (!(v instanceof ASN1String s) || !s.getString().startsWith(TENANT_OU_PREFIX)) {
                        continue;
                    }
                    String id = s.getString().substring(TENANT_OU_PREFIX.length());
                    UUID u = UUID.fromString(id);
                    if (!u.toString().equals(id) || found != null) {
                        return Optional.empty();
                    }
                    found = u;
                }
            }
            return Optional.ofNullable(found);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
