package org.trustfleet.scan;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.ColumnTransformer;

/** Persistence row of one scan; its lists are one {@link StoredScan} record in a jsonb column. */
@Entity
@Table(name = "scan")
public class ScanEntity extends PanacheEntityBase {
    @Id
    public UUID id;

    @Column(name = "endpoint_id", nullable = false)
    public UUID endpointId;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    @Column(name = "started_at", nullable = false)
    public Instant startedAt;

    @Column(name = "duration_ms", nullable = false)
    public long durationMs;

    @Column(nullable = false)
    public String status;

    @Column(nullable = false)
    public String trigger;

    @Column(name = "scheduled_for")
    public Instant scheduledFor;

    public String instance;

    @Column(name = "tls_version")
    public String tlsVersion;

    @Column(name = "cipher_suite")
    public String cipherSuite;

    public String address;

    @Column(name = "error_detail")
    public String errorDetail;

    @Column(name = "chain_key")
    public String chainKey;

    /** The scan's lists as a {@link StoredScan} (jsonb); written through {@code core.JsonColumns}. */
    @Column(nullable = false)
    @ColumnTransformer(write = "?::jsonb")
    public String document;
}
