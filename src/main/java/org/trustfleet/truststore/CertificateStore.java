package org.trustfleet.truststore;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.security.cert.X509Certificate;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.CertificateParser;
import org.trustfleet.pki.CertificateSummary;

/**
 * The deployment's certificate library: everything seen in scans, fetched by AIA, or uploaded, stored once by
 * SHA-256. Earlier scans' intermediates are looked up here to complete chains.
 */
@ApplicationScoped
public class CertificateStore {
    private final EntityManager em;
    private final Clock clock;

    public CertificateStore(EntityManager em, Clock clock) {
        this.em = em;
        this.clock = clock;
    }

    /** Stores the certificates not stored yet (concurrent writers of the same certificate are fine). */
    @Transactional
    public void record(Collection<X509Certificate> certificates) {
        Map<String, X509Certificate> unique = new LinkedHashMap<>();
        for (X509Certificate certificate : certificates) {
            unique.putIfAbsent(CertificateSummary.of(certificate).sha256(), certificate);
        }
        Timestamp now = Timestamp.from(Instant.now(clock));
        unique.forEach((sha256, certificate) -> {
            CertificateSummary summary = CertificateSummary.of(certificate);
            em.createNativeQuery("""
                    INSERT INTO certificate (sha256, der, subject, issuer, not_before, not_after, is_ca, first_seen)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (sha256) DO NOTHING""")
                    .setParameter(1, sha256)
                    .setParameter(2, CertificateEncoder.der(certificate))
                    .setParameter(3, truncate(summary.subject()))
                    .setParameter(4, truncate(summary.issuer()))
                    .setParameter(5, Timestamp.from(summary.notBefore()))
                    .setParameter(6, Timestamp.from(summary.notAfter()))
                    .setParameter(7, summary.isCa())
                    .setParameter(8, now)
                    .executeUpdate();
        });
    }

    @Transactional
    public Optional<X509Certificate> find(String sha256) {
        CertificateEntity entity = em.find(CertificateEntity.class, sha256);
        return Optional.ofNullable(entity).map(e -> decode(e.der));
    }

    @Transactional
    public List<X509Certificate> findAll(Collection<String> sha256s) {
        if (sha256s.isEmpty()) {
            return List.of();
        }
        return em.createQuery("from CertificateEntity where sha256 in :ids order by sha256", CertificateEntity.class)
                .setParameter("ids", sha256s).getResultList().stream().map(e -> decode(e.der)).toList();
    }

    /** CA certificates seen before whose subject is {@code subject}: candidate issuers for chain completion. */
    @Transactional
    public List<X509Certificate> caCertificatesWithSubject(String subject) {
        return em.createQuery("from CertificateEntity where isCa = true and subject = :s order by sha256",
                        CertificateEntity.class)
                .setParameter("s", truncate(subject)).setMaxResults(50).getResultList().stream()
                .map(e -> decode(e.der)).toList();
    }

    static X509Certificate decode(byte[] der) {
        return CertificateParser.parse(der).get(0);
    }

    private static String truncate(String name) {
        return name.length() <= 2000 ? name : name.substring(0, 2000);
    }
}
