package org.trustfleet.truststore;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.security.cert.X509Certificate;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.trustfleet.cache.BoundedCache;
import org.trustfleet.cache.Caches;
import org.trustfleet.cache.InvalidationFeed;
import org.trustfleet.core.AfterCommit;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.CertificateParser;
import org.trustfleet.pki.CertificateSummary;
import org.trustfleet.pki.Sha256;

/**
 * The deployment's certificate library: everything seen in scans, fetched by AIA, or uploaded, stored once by
 * SHA-256. Earlier scans' intermediates are looked up here to complete chains.
 *
 * <p>A SHA-256 names one certificate forever and rows are never deleted, so the certificates this replica has read
 * or committed are kept decoded in memory (at most {@code trustfleet.cache.certificates-max-entries}): a scan then
 * neither re-inserts the chain it saw last time nor parses its tenant's anchors again.
 *
 * <p>Which CA certificates are known (the candidates of chain completion) is summed up by {@link #caGeneration()}, a
 * number that changes whenever a CA certificate is added on any replica (published on the {@link InvalidationFeed} as
 * {@value #CA_CERTIFICATES}), so the scanner can tell "nothing new to complete a chain with" without asking the
 * database on every scan.
 */
@ApplicationScoped
public class CertificateStore {
    static final int INSERT_ROWS = 1000;
    /** The feed name under which a new CA certificate is announced (one key: any new CA changes the generation). */
    public static final String CA_CERTIFICATES = "ca-certificates";
    private static final String ANY = "any";

    private final EntityManager em;
    private final Clock clock;
    private final TransactionSynchronizationRegistry transactions;
    private final BoundedCache<String, X509Certificate> stored;
    /** Names this store's entry among the transaction's resources. */
    private final Object writtenKey = new Object();
    private final InvalidationFeed feed;
    /** Moves on every new CA certificate this replica committed or the feed reported from another replica. */
    private final AtomicLong caGeneration = new AtomicLong();

    public CertificateStore(EntityManager em, Clock clock, TransactionSynchronizationRegistry transactions,
            TrustfleetConfig config, InvalidationFeed feed) {
        this.em = em;
        this.clock = clock;
        this.transactions = transactions;
        this.stored = Caches.bounded("certificates", config.cache().certificatesMaxEntries());
        this.feed = feed;
        feed.subscribe(CA_CERTIFICATES, new InvalidationFeed.Subscriber() {
            @Override
            public void invalidate(Set<String> keys) {
                caGeneration.incrementAndGet();
            }

            @Override
            public void invalidateAll() {
                caGeneration.incrementAndGet();
            }
        });
    }

    /** Stores the certificates not stored yet (concurrent writers of the same certificate are fine). */
    @Transactional
    public void record(Collection<X509Certificate> certificates) {
        // by fingerprint, so that concurrent writers insert in one order and cannot deadlock on the unique index
        Map<String, X509Certificate> unknown = new TreeMap<>();
        for (X509Certificate certificate : certificates) {
            String sha256 = Sha256.of(certificate);
            if (stored.get(sha256) == null) { // get, not containsKey: a hit counts as a use
                unknown.putIfAbsent(sha256, certificate);
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        // CA certificates (as the is_ca column has them) first, then the others, each in fingerprint order: one total
        // order for every writer
        List<X509Certificate> cas = unknown.values().stream().filter(c -> CertificateSummary.of(c).isCa()).toList();
        List<X509Certificate> others = unknown.values().stream().filter(c -> !CertificateSummary.of(c).isCa())
                .toList();
        int newCas = 0;
        for (int from = 0; from < cas.size(); from += INSERT_ROWS) {
            newCas += insert(cas.subList(from, Math.min(cas.size(), from + INSERT_ROWS)));
        }
        for (int from = 0; from < others.size(); from += INSERT_ROWS) {
            insert(others.subList(from, Math.min(others.size(), from + INSERT_ROWS)));
        }
        if (newCas > 0) {
            // chain completion has a new candidate: every replica's generation moves (this one's at commit)
            feed.publish(CA_CERTIFICATES, ANY);
        }
        writtenInThisTransaction().putAll(unknown);
    }

    /**
     * One multi-row INSERT; PostgreSQL takes at most 32,767 parameters per statement, 8 per row here. Returns the rows
     * inserted (not those another writer had inserted already).
     */
    private int insert(List<X509Certificate> rows) {
        int columns = 8;
        StringBuilder sql = new StringBuilder(
                "INSERT INTO certificate (sha256, der, subject, issuer, not_before, not_after, is_ca, first_seen) VALUES ");
        for (int row = 0; row < rows.size(); row++) {
            sql.append(row == 0 ? "(" : ", (");
            for (int column = 1; column <= columns; column++) {
                sql.append(column == 1 ? "?" : ", ?").append(row * columns + column);
            }
            sql.append(')');
        }
        Query insert = em.createNativeQuery(sql.append(" ON CONFLICT (sha256) DO NOTHING").toString());
        Timestamp now = Timestamp.from(Instant.now(clock));
        int p = 0;
        for (X509Certificate certificate : rows) {
            CertificateSummary summary = CertificateSummary.of(certificate);
            insert.setParameter(++p, summary.sha256())
                    .setParameter(++p, CertificateEncoder.der(certificate))
                    .setParameter(++p, truncate(summary.subject()))
                    .setParameter(++p, truncate(summary.issuer()))
                    .setParameter(++p, Timestamp.from(summary.notBefore()))
                    .setParameter(++p, Timestamp.from(summary.notAfter()))
                    .setParameter(++p, summary.isCa())
                    .setParameter(++p, now);
        }
        return insert.executeUpdate();
    }

    /**
     * The certificates this transaction inserted, remembered only once it commits: a rolled-back scan must insert
     * them again next time, and a lookup in the same transaction must not remember a row that may yet vanish.
     */
    private Map<String, X509Certificate> writtenInThisTransaction() {
        Map<String, X509Certificate> written = writtenSoFar();
        if (written == null) {
            Map<String, X509Certificate> fresh = new HashMap<>();
            transactions.putResource(writtenKey, fresh);
            AfterCommit.run(transactions, () -> stored.putAll(fresh));
            written = fresh;
        }
        return written;
    }

    /** What this transaction inserted so far, or null when it inserted nothing. */
    @SuppressWarnings("unchecked")
    private Map<String, X509Certificate> writtenSoFar() {
        return (Map<String, X509Certificate>) transactions.getResource(writtenKey);
    }

    @Transactional
    public Optional<X509Certificate> find(String sha256) {
        List<X509Certificate> found = findAll(List.of(sha256));
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** The stored ones among {@code sha256s}, ordered by fingerprint; unknown fingerprints are left out. */
    @Transactional
    public List<X509Certificate> findAll(Collection<String> sha256s) {
        return List.copyOf(findAllBySha256(sha256s).values());
    }

    /**
     * The stored ones among {@code sha256s} by their fingerprint, in fingerprint order; unknown fingerprints are left
     * out. For callers that look certificates up by fingerprint: hashing each found certificate again was 100,000
     * SHA-256 computations in a store change's sweep.
     */
    @Transactional
    public Map<String, X509Certificate> findAllBySha256(Collection<String> sha256s) {
        if (sha256s.isEmpty()) {
            return Map.of();
        }
        Map<String, X509Certificate> found = new TreeMap<>();
        List<String> missing = new ArrayList<>();
        for (String sha256 : new LinkedHashSet<>(sha256s)) {
            X509Certificate known = stored.get(sha256);
            if (known != null) {
                found.put(sha256, known);
            } else {
                missing.add(sha256);
            }
        }
        if (!missing.isEmpty()) {
            Map<String, X509Certificate> uncommitted = writtenSoFar();
            // the two columns, not entities: certificate rows never change once written, so there is nothing for the
            // session to track (materialising entities was 4.6 % of a store change's sweep threads' CPU)
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("SELECT sha256, der FROM certificate WHERE sha256 = ANY(?1)")
                    .setParameter(1, missing.toArray(String[]::new)).getResultList();
            for (Object[] row : rows) {
                String sha256 = (String) row[0];
                X509Certificate certificate = CertificateParser.parseStored((byte[]) row[1]);
                if (uncommitted == null || !uncommitted.containsKey(sha256)) {
                    stored.put(sha256, certificate);
                }
                found.put(sha256, certificate);
            }
        }
        return Collections.unmodifiableMap(found);
    }

    /**
     * A number that changes whenever chain completion gains a candidate: a CA certificate committed on this replica
     * (at once, before {@link #record}'s transaction returns) or on another (within the feed's poll interval).
     * Certificates are never deleted, so nothing else changes the candidates. Only equality means anything, and only
     * within one replica (the scanner's verdict reuse keys on it). Costs no database round trip.
     */
    public long caGeneration() {
        return caGeneration.get();
    }

    /** CA certificates seen before whose subject is {@code subject}: candidate issuers for chain completion. */
    @Transactional
    public List<X509Certificate> caCertificatesWithSubject(String subject) {
        List<String> ids = em.createQuery(
                        "select sha256 from CertificateEntity where isCa = true and subject = :s order by sha256",
                        String.class)
                .setParameter("s", truncate(subject)).setMaxResults(50).getResultList();
        return findAll(ids);
    }

    private static String truncate(String name) {
        return name.length() <= 2000 ? name : name.substring(0, 2000);
    }
}
