package org.trustfleet.scan;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** Persistence row of a CHAIN_CHANGED event. */
@Entity
@Table(name = "chain_event")
public class ChainEventEntity extends PanacheEntityBase {
    @Id
    public UUID id;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    @Column(name = "endpoint_id", nullable = false)
    public UUID endpointId;

    @Column(name = "scan_id", nullable = false)
    public UUID scanId;

    @Column(name = "previous_scan_id")
    public UUID previousScanId;

    @Column(name = "occurred_at", nullable = false)
    public Instant occurredAt;

    @Column(nullable = false)
    public String change;

    @Column(name = "previous_chain", nullable = false)
    public String previousChain;

    @Column(name = "new_chain", nullable = false)
    public String newChain;
}
