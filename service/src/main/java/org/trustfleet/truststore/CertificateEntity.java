package org.trustfleet.truststore;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A certificate row: every certificate is stored once, keyed by the SHA-256 of its DER. */
@Entity
@Table(name = "certificate")
public class CertificateEntity extends PanacheEntityBase {
    @Id
    public String sha256;

    @Column(nullable = false)
    public byte[] der;

    @Column(nullable = false)
    public String subject;

    @Column(nullable = false)
    public String issuer;

    @Column(name = "not_before", nullable = false)
    public Instant notBefore;

    @Column(name = "not_after", nullable = false)
    public Instant notAfter;

    @Column(name = "is_ca", nullable = false)
    public boolean isCa;

    @Column(name = "first_seen", nullable = false)
    public Instant firstSeen;
}
