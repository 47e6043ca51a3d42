package org.trustfleet.policy;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.ColumnTransformer;
import org.hibernate.annotations.Immutable;

/**
 * Persistence row of a group's current requirement set (the document is a versioned storage record). Read-only here:
 * {@link RequirementsService} writes the row in SQL, keeping the document's digest with it (V42).
 */
@Entity
@Immutable
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

    /** Raised for every group by a platform store change; read-only here ({@link RecomputeSweep} writes it). */
    @Column(name = "recompute_wanted", insertable = false, updatable = false)
    public long recomputeWanted;

    /** The {@code recompute_wanted} a recompute read before reading its inputs; pending while below it. */
    @Column(name = "recompute_done", nullable = false)
    public long recomputeDone;

    /** The set as a {@link StoredRequirements} record (jsonb); written through {@code core.JsonColumns}. */
    @Column(nullable = false)
    @ColumnTransformer(write = "?::jsonb")
    public String document;
}
