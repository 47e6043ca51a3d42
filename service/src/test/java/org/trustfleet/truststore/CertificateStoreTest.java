package org.trustfleet.truststore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.Sha256;
import org.trustfleet.pki.TestPki;
import org.trustfleet.testing.EmbeddedPostgresResource;

/** The certificate library remembers only what is committed, and answers lookups by fingerprint. */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class CertificateStoreTest {
    @Inject
    CertificateStore store;
    @Inject
    EntityManager em;

    @Test
    void aCertificateWhoseTransactionRolledBackIsStoredByTheNextRecord() {
        X509Certificate certificate = TestPki.root("Rolled Back Root").cert();
        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
            store.record(List.of(certificate));
            assertThat(rows(certificate)).isEqualTo(1);
            throw new IllegalStateException("the scan failed after storing its certificates");
        })).hasMessageContaining("the scan failed");
        assertThat(QuarkusTransaction.requiringNew().call(() -> rows(certificate))).isZero();

        store.record(List.of(certificate));

        assertThat(QuarkusTransaction.requiringNew().call(() -> rows(certificate))).isEqualTo(1);
        assertThat(store.find(Sha256.of(certificate))).contains(certificate);
    }

    @Test
    void recordsSeveralAtOnceAndFindsThemByFingerprintInFingerprintOrder() {
        List<X509Certificate> certificates = List.of(TestPki.root("Batch One").cert(),
                TestPki.root("Batch Two").cert(), TestPki.root("Batch Three").cert());
        // the same certificate twice in one call, and again in a second call: stored once
        store.record(List.of(certificates.get(0), certificates.get(1), certificates.get(0), certificates.get(2)));
        store.record(certificates);

        for (X509Certificate certificate : certificates) {
            assertThat(QuarkusTransaction.requiringNew().call(() -> rows(certificate))).isEqualTo(1);
        }
        List<String> wanted = List.of(Sha256.of(certificates.get(2)), "0".repeat(64), Sha256.of(certificates.get(0)),
                Sha256.of(certificates.get(1)));
        assertThat(store.findAll(wanted)).extracting(Sha256::of)
                .containsExactlyElementsOf(certificates.stream().map(Sha256::of).sorted().toList());
        // by fingerprint: each found certificate under its own, in fingerprint order, the unknown one left out
        Map<String, X509Certificate> bySha256 = store.findAllBySha256(wanted);
        assertThat(bySha256.keySet()).containsExactlyElementsOf(certificates.stream().map(Sha256::of).sorted()
                .toList());
        bySha256.forEach((sha256, certificate) -> assertThat(Sha256.of(certificate)).isEqualTo(sha256));
        assertThat(store.findAllBySha256(List.of())).isEmpty();
        assertThat(store.find("0".repeat(64))).isEmpty();
    }

    @Test
    void aCertificateReadBackInTheTransactionThatInsertedItIsNotRememberedIfThatRollsBack() {
        X509Certificate certificate = TestPki.root("Read Back Then Rolled Back").cert();
        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
            store.record(List.of(certificate));
            assertThat(store.find(Sha256.of(certificate))).contains(certificate);
            throw new IllegalStateException("rolled back after reading its own insert");
        })).hasMessageContaining("rolled back");

        assertThat(store.find(Sha256.of(certificate))).isEmpty();
        store.record(List.of(certificate));
        assertThat(QuarkusTransaction.requiringNew().call(() -> rows(certificate))).isEqualTo(1);
    }

    @Test
    void findsCertificatesOnlyInTheDatabaseAlongsideRememberedOnes() {
        X509Certificate remembered = TestPki.root("Remembered").cert();
        X509Certificate onlyInDatabase = TestPki.root("Written By Another Replica").cert();
        store.record(List.of(remembered));
        // another replica's insert: this one has never seen the certificate
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                        INSERT INTO certificate (sha256, der, subject, issuer, not_before, not_after, is_ca, first_seen)
                        VALUES (?1, ?2, 'CN=x', 'CN=x', now(), now(), true, now())""")
                .setParameter(1, Sha256.of(onlyInDatabase)).setParameter(2, encoded(onlyInDatabase)).executeUpdate());

        assertThat(store.findAll(List.of(Sha256.of(onlyInDatabase), "f".repeat(64), Sha256.of(remembered))))
                .containsExactlyElementsOf(List.of(remembered, onlyInDatabase).stream()
                        .sorted(java.util.Comparator.comparing(Sha256::of)).toList());
    }

    @Test
    void recordsMoreCertificatesThanOneStatementTakes() {
        java.security.KeyPair key = TestPki.keyPair(TestPki.KeyType.EC_P256);
        String tag = "Bulk " + java.util.UUID.randomUUID();
        List<X509Certificate> many = java.util.stream.IntStream.rangeClosed(0, CertificateStore.INSERT_ROWS)
                .mapToObj(i -> TestPki.rootBuilder(tag + " " + i).key(key).build().cert()).toList();

        store.record(many);

        assertThat(store.findAll(many.stream().map(Sha256::of).toList())).hasSize(CertificateStore.INSERT_ROWS + 1);
        long stored = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "SELECT count(*) FROM certificate WHERE subject LIKE ?1").setParameter(1, "CN=" + tag + " %")
                .getSingleResult()).longValue());
        assertThat(stored).isEqualTo(CertificateStore.INSERT_ROWS + 1);
    }

    @Test
    void theCaGenerationMovesWithEveryNewCaCertificateHereOrOnAnotherReplica() {
        TestPki.Cert root = TestPki.root("Generation Root");
        TestPki.Cert ca = root.issueIntermediate("Generation CA");
        long before = store.caGeneration();
        // a new CA certificate: announced in its transaction, this replica's generation moved once it committed
        assertThat(QuarkusTransaction.requiringNew().call(() -> {
            store.record(List.of(ca.issueLeaf("generation.test").cert(), ca.cert()));
            return caAnnouncementsOfThisTransaction();
        })).isEqualTo(1);
        assertThat(store.caGeneration()).isGreaterThan(before);

        // nothing new to complete a chain with: a leaf, a CA certificate already stored, one another writer stored
        X509Certificate storedElsewhere = TestPki.root("Generation Root Stored Elsewhere").cert();
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                        INSERT INTO certificate (sha256, der, subject, issuer, not_before, not_after, is_ca, first_seen)
                        VALUES (?1, ?2, 'CN=x', 'CN=x', now(), now(), true, now())""")
                .setParameter(1, Sha256.of(storedElsewhere)).setParameter(2, encoded(storedElsewhere))
                .executeUpdate());
        assertThat(QuarkusTransaction.requiringNew().call(() -> {
            store.record(List.of(ca.issueLeaf("other.generation.test").cert(), ca.cert(), storedElsewhere));
            return caAnnouncementsOfThisTransaction();
        })).isZero();

        // another replica's announcement reaches this one at its next poll of the feed
        long seen = store.caGeneration();
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "INSERT INTO cache_invalidation (cache_name, cache_key) VALUES (?1, 'any')")
                .setParameter(1, CertificateStore.CA_CERTIFICATES).executeUpdate());
        await().atMost(Duration.ofMinutes(2)).until(() -> store.caGeneration() > seen);
    }

    /** Announcements of new CA certificates written by the current transaction (not by concurrent ones). */
    private long caAnnouncementsOfThisTransaction() {
        return ((Number) em.createNativeQuery("SELECT count(*) FROM cache_invalidation WHERE cache_name = ?1"
                        + " AND xmin::text = (txid_current() % 4294967296)::text")
                .setParameter(1, CertificateStore.CA_CERTIFICATES).getSingleResult()).longValue();
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private long rows(X509Certificate certificate) {
        return ((Number) em.createNativeQuery("SELECT count(*) FROM certificate WHERE sha256 = ?1")
                .setParameter(1, Sha256.of(certificate)).getSingleResult()).longValue();
    }
}
