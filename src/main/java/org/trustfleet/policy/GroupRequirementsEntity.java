package org.trustfleet.policy;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** Persistence row of a group's current requirement set (the document is JSON). */
@Entity
@Table(name = "group_requirements")
public class GroupRequirementsEntity extends PanacheEntityBase {
    @Id
    @Column(name = "group_id")
    public UUID groupId;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    @Column(nullable = false)
    public long version;

    @Column(name = "set_key", nullable = false)
    public String setKey;

    @Column(name = "computed_at", nullable = false)
    public Instant computedAt;

    @Column(nullable = false)
    public String document;
}
