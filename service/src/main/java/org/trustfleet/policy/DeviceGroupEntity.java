package org.trustfleet.policy;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.hibernate.annotations.BatchSize;

/** Persistence row of a device group; its endpoints are a relation, its include and exclude lists JSON text. */
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

    @Enumerated(EnumType.STRING)
    @Column(name = "store_source", nullable = false)
    public StoreSource storeSource = StoreSource.BUNDLED;

    /** True when the group named no endpoint: it covers every endpoint of the tenant, present and future. */
    @Column(name = "all_endpoints", nullable = false)
    public boolean allEndpoints;

    /**
     * The endpoints the group named (when not {@link #allEndpoints}). Foreign keys on both sides: deleting an
     * endpoint removes it here, so a group never keeps a dangling id.
     */
    @ElementCollection
    @BatchSize(size = 64) // listing a tenant's groups loads their endpoints in a few queries, not one per group
    @CollectionTable(name = "device_group_endpoint", joinColumns = @JoinColumn(name = "group_id"))
    @Column(name = "endpoint_id", nullable = false)
    public Set<UUID> endpointIds = new HashSet<>();

    @Column(name = "include_sha256", nullable = false)
    public String includeSha256;

    @Column(name = "exclude_sha256", nullable = false)
    public String excludeSha256;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
