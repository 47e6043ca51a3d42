package org.trustfleet.payload;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * The declarative payload a device group's agents receive, encapsulated in CMS SignedData:
 * <pre>
 * {"schema":"trustfleet.payload/v1","tenantId":"…","deviceGroupId":"…","version":7,
 *  "issuedAt":"2025-01-01T00:00:00Z","expiresAt":"2025-01-08T00:00:00Z",
 *  "certificates":[{"sha256":"…","role":"intermediate","der":"MII…","subject":"CN=…","notAfter":"…Z"}],
 *  "endpoints":[{"endpointId":"…","host":"sts.contoso.com","port":443,"serverName":"sts.contoso.com","protocol":"tls"}]}
 * </pre>
 * Serialize with {@link PayloadJson#write}, parse with {@link PayloadJson#read}.
 *
 * @param schema        always {@link #SCHEMA}
 * @param version       increases with every change of the group's certificate set (non-negative)
 * @param issuedAt      when this document was produced
 * @param expiresAt     after this instant devices refuse the document (freeze protection); after {@code issuedAt}
 * @param certificates  the complete desired set, unique by {@code sha256}, in the order given
 * @param endpoints     the group's endpoints that devices verify themselves, unique by id, in the order given (the
 *                      server lists them in id order); empty when the group covers none or the sender predates them
 */
public record PayloadDocument(String schema, UUID tenantId, UUID deviceGroupId, long version, Instant issuedAt,
        Instant expiresAt, List<PayloadCertificate> certificates, List<PayloadEndpoint> endpoints) {

    /** The only schema this code reads and writes. */
    public static final String SCHEMA = "trustfleet.payload/v1";

    /** Validates the invariants; the list is copied and unmodifiable. */
    public PayloadDocument {
        Objects.requireNonNull(schema, "schema");
        if (!SCHEMA.equals(schema)) {
            throw new IllegalArgumentException("unsupported payload schema");
        }
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(deviceGroupId, "deviceGroupId");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(certificates, "certificates");
        Objects.requireNonNull(endpoints, "endpoints");
        if (version < 0) {
            throw new IllegalArgumentException("version must not be negative");
        }
        if (!expiresAt.isAfter(issuedAt)) {
            throw new IllegalArgumentException("expiresAt must be after issuedAt");
        }
        certificates = List.copyOf(certificates);
        Set<String> seen = new HashSet<>();
        for (PayloadCertificate c : certificates) {
            if (!seen.add(c.sha256())) {
                throw new IllegalArgumentException("duplicate certificate " + c.sha256());
            }
        }
        endpoints = List.copyOf(endpoints);
        Set<UUID> ids = new HashSet<>();
        for (PayloadEndpoint e : endpoints) {
            if (!ids.add(e.endpointId())) {
                throw new IllegalArgumentException("duplicate endpoint " + e.endpointId());
            }
        }
    }

    /** A document without endpoints (as written before devices verified endpoints). */
    public PayloadDocument(String schema, UUID tenantId, UUID deviceGroupId, long version, Instant issuedAt,
            Instant expiresAt, List<PayloadCertificate> certificates) {
        this(schema, tenantId, deviceGroupId, version, issuedAt, expiresAt, certificates, List.of());
    }

    /** Convenience constructor with {@link #SCHEMA} and no endpoints. */
    public PayloadDocument(UUID tenantId, UUID deviceGroupId, long version, Instant issuedAt, Instant expiresAt,
            List<PayloadCertificate> certificates) {
        this(SCHEMA, tenantId, deviceGroupId, version, issuedAt, expiresAt, certificates, List.of());
    }

    /** Convenience constructor with {@link #SCHEMA}. */
    public PayloadDocument(UUID tenantId, UUID deviceGroupId, long version, Instant issuedAt, Instant expiresAt,
            List<PayloadCertificate> certificates, List<PayloadEndpoint> endpoints) {
        this(SCHEMA, tenantId, deviceGroupId, version, issuedAt, expiresAt, certificates, endpoints);
    }

    /** The listed certificate ids. */
    public Set<String> sha256Set() {
        Set<String> out = new java.util.TreeSet<>();
        certificates.forEach(c -> out.add(c.sha256()));
        return out;
    }

    /** {@code expiresAt} is strictly before {@code now}. */
    public boolean isExpiredAt(Instant now) {
        return expiresAt.isBefore(now);
    }
}
