package org.trustfleet.scan;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** Persistence row of one scan; the lists are stored as JSON text. */
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

    @Column(nullable = false)
    public String presented;

    @Column(name = "completed_path", nullable = false)
    public String completedPath;

    @Column(nullable = false)
    public String findings;

    @Column(name = "per_api_level", nullable = false)
    public String perApiLevel;
}
