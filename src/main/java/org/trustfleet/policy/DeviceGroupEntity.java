package org.trustfleet.policy;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** Persistence row of a device group; its lists are JSON text. */
@Entity
@Table(name = "device_group")
public class DeviceGroupEntity extends PanacheEntityBase {
    @Id
    public UUID id;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    @Column(nullable = false)
    public String name;

    @Column(name = "min_api_level", nullable = false)
    public int minApiLevel;

    @Column(name = "max_api_level", nullable = false)
    public int maxApiLevel;

    @Enumerated(EnumType.STRING)
    @Column(name = "management_mode", nullable = false)
    public ManagementMode managementMode;

    @Column(name = "endpoint_ids", nullable = false)
    public String endpointIds;

    @Column(name = "include_sha256", nullable = false)
    public String includeSha256;

    @Column(name = "exclude_sha256", nullable = false)
    public String excludeSha256;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
