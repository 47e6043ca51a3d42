package org.trustfleet.truststore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.security.cert.X509Certificate;
import java.util.List;
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
        assertThat(store.find("0".repeat(64))).isEmpty();
    }

    private long rows(X509Certificate certificate) {
        return ((Number) em.createNativeQuery("SELECT count(*) FROM certificate WHERE sha256 = ?1")
                .setParameter(1, Sha256.of(certificate)).getSingleResult()).longValue();
    }
}
