package org.trustfleet.truststore;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.pki.Certificates;
import org.trustfleet.pki.Sha256;
import org.trustfleet.core.PlainText;

/** A tenant's private CAs: candidates to deliver to devices when an endpoint chains up to one of them. */
@ApplicationScoped
public class AnchorService {
    private final CertificateStore certificates;
    private final Clock clock;
    private final Event<AnchorsChanged> changed;

    /** Fired after a tenant's anchors changed. */
    public record AnchorsChanged(UUID tenantId) {}

    public AnchorService(CertificateStore certificates, Clock clock, Event<AnchorsChanged> changed) {
        this.certificates = certificates;
        this.clock = clock;
        this.changed = changed;
    }

    /** Adds every CA certificate of the PEM bundle; one already present is kept as it is. */
    @Transactional
    public List<TenantAnchor> add(UUID tenantId, String pem, @PlainText(multiline = true) String note) {
        if (note != null && note.length() > 500) {
            throw TrustfleetException.validation("'note' must be at most 500 characters");
        }
        List<X509Certificate> anchors = CertificateInput.caCertificates(pem, "pem");
        certificates.record(anchors);
        List<TenantAnchor> result = new ArrayList<>();
        for (X509Certificate certificate : anchors) {
            String sha256 = Sha256.of(certificate);
            TenantAnchorEntity entity = TenantAnchorEntity.find("tenantId = ?1 and sha256 = ?2", tenantId, sha256)
                    .firstResult();
            if (entity == null) {
                entity = new TenantAnchorEntity();
                entity.id = UUID.randomUUID();
                entity.tenantId = tenantId;
                entity.sha256 = sha256;
                entity.note = note == null || note.isBlank() ? null : note.strip();
                entity.createdAt = Instant.now(clock);
                entity.persist();
            }
            result.add(view(entity, certificate));
        }
        changed.fire(new AnchorsChanged(tenantId));
        return result;
    }

    @Transactional
    public List<TenantAnchor> list(UUID tenantId) {
        List<TenantAnchorEntity> rows = TenantAnchorEntity.list("tenantId = ?1 order by createdAt, sha256", tenantId);
        Map<String, X509Certificate> bySha = certificates.findAllBySha256(rows.stream().map(r -> r.sha256).toList());
        return rows.stream().map(r -> view(r, bySha.get(r.sha256))).toList();
    }

    @Transactional
    public void remove(UUID tenantId, String sha256) {
        long deleted = TenantAnchorEntity.delete("tenantId = ?1 and sha256 = ?2", tenantId,
                Sha256.parse(sha256).orElse(""));
        if (deleted == 0) {
            throw TrustfleetException.notFound("anchor");
        }
        changed.fire(new AnchorsChanged(tenantId));
    }

    /** The tenant's anchors as certificates, for scans and the policy engine. */
    @Transactional
    public List<X509Certificate> certificatesOf(UUID tenantId) {
        return certificatesOf(List.of(tenantId)).get(tenantId);
    }

    /**
     * Each given tenant's anchors as certificates (in fingerprint order; none: an empty list), read in one statement
     * for all of them: the recompute after a platform store change reads several small tenants at a time.
     */
    @Transactional
    public Map<UUID, List<X509Certificate>> certificatesOf(Collection<UUID> tenantIds) {
        Map<UUID, List<String>> ids = new HashMap<>();
        tenantIds.forEach(t -> ids.put(t, new ArrayList<>()));
        if (tenantIds.isEmpty()) {
            return new HashMap<>();
        }
        for (Object found : TenantAnchorEntity.getEntityManager().createNativeQuery(
                        "SELECT tenant_id, sha256 FROM tenant_anchor WHERE tenant_id = ANY(?1) ORDER BY sha256")
                .setParameter(1, tenantIds.toArray(UUID[]::new)).getResultList()) {
            Object[] row = (Object[]) found;
            ids.get((UUID) row[0]).add((String) row[1]);
        }
        Map<String, X509Certificate> bySha = certificates.findAllBySha256(ids.values().stream()
                .flatMap(List::stream).toList());
        Map<UUID, List<X509Certificate>> out = new HashMap<>();
        // an anchor whose certificate row is missing is left out, as findAllBySha256 leaves it out
        ids.forEach((tenant, shas) -> out.put(tenant, shas.stream().map(bySha::get)
                .filter(java.util.Objects::nonNull).toList()));
        return out;
    }

    private static TenantAnchor view(TenantAnchorEntity entity, X509Certificate certificate) {
        return new TenantAnchor(entity.id, entity.sha256, certificate.getSubjectX500Principal().getName(),
                certificate.getNotAfter().toInstant(), Certificates.isSelfSigned(certificate), entity.note,
                entity.createdAt);
    }
}
