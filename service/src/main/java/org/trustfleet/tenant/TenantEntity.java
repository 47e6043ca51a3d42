package org.trustfleet.tenant;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** Persistence row of a tenant; never leaves the tenant package (mapped to {@link Tenant}). */
@Entity
@Table(name = "tenant")
public class TenantEntity extends PanacheEntityBase {
    @Id
    public UUID id;

    @Column(nullable = false)
    public String name;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    Tenant toTenant() {
        return new Tenant(id, name, createdAt);
    }
}
