package org.trustfleet.truststore;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/** An operator's platform store: a name, a level and its member certificates. */
@Entity
@Table(name = "trust_store")
public class TrustStoreEntity extends PanacheEntityBase {
    @Id
    public UUID id;

    @Column(nullable = false, unique = true)
    public String name;

    @Column(nullable = false)
    public String platform;

    @Column(name = "api_level", nullable = false)
    public int apiLevel;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "trust_store_certificate", joinColumns = @JoinColumn(name = "trust_store_id"))
    @Column(name = "sha256")
    public Set<String> sha256s = new HashSet<>();
}
