package org.trustfleet.payload;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.trustfleet.pki.TestPki;
import org.trustfleet.policy.CertificateRole;

/** Shared test data: a few CA certificates and documents listing them. */
public final class PayloadFixtures {

    public static final TestPki.Cert ROOT_A = TestPki.root("Fixture Root A");
    public static final TestPki.Cert INT_A = ROOT_A.issueIntermediate("Fixture Intermediate A");
    public static final TestPki.Cert INT_B = ROOT_A.issueIntermediate("Fixture Intermediate B");
    public static final TestPki.Cert ROOT_C = TestPki.root("Fixture Root C");

    private PayloadFixtures() {
    }

    /** A document valid from now for a week, listing {@code certs} (first one as root when self-signed). */
    public static PayloadDocument doc(UUID tenant, UUID group, long version, TestPki.Cert... certs) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return doc(tenant, group, version, now, now.plus(Duration.ofDays(7)), certs);
    }

    public static PayloadDocument doc(UUID tenant, UUID group, long version, Instant issuedAt, Instant expiresAt,
            TestPki.Cert... certs) {
        List<PayloadCertificate> list = new ArrayList<>();
        for (TestPki.Cert c : certs) {
            boolean root = c.cert().getSubjectX500Principal().equals(c.cert().getIssuerX500Principal());
            list.add(PayloadCertificate.of(c.cert(), root ? CertificateRole.ROOT : CertificateRole.INTERMEDIATE));
        }
        return new PayloadDocument(tenant, group, version, issuedAt, expiresAt, list);
    }
}
