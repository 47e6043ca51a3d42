package org.trustfleet.truststore;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** Persistence row of a tenant's private CA. */
@Entity
@Table(name = "tenant_anchor")
public class TenantAnchorEntity extends PanacheEntityBase {
    @Id
    public UUID id;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    @Column(nullable = false)
    public String sha256;

    public String note;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
