package org.trustfleet.scan;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** Persistence row of a watched endpoint. */
@Entity
@Table(name = "endpoint")
public class EndpointEntity extends PanacheEntityBase {
    @Id
    public UUID id;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    @Column(nullable = false)
    public String name;

    @Column(nullable = false)
    public String host;

    @Column(nullable = false)
    public int port;

    @Column(name = "server_name")
    public String serverName;

    /** A {@link StartTlsProtocol} wire name. */
    @Column(nullable = false)
    public String protocol = StartTlsProtocol.TLS.wireName();

    @Column(name = "scan_interval_minutes", nullable = false)
    public int scanIntervalMinutes;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    Endpoint toEndpoint() {
        return new Endpoint(id, tenantId, name, host, port, serverName, protocol, scanIntervalMinutes, createdAt,
                updatedAt);
    }
}
