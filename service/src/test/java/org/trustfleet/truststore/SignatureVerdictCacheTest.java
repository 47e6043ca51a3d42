package org.trustfleet.truststore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.security.Security;
import java.security.Signature;
import java.security.cert.X509Certificate;
import io.agroal.api.AgroalDataSource;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import io.restassured.http.ContentType;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import java.time.Instant;
import java.util.List;
import org.trustfleet.pki.AndroidValidator;
import org.trustfleet.pki.Certificates;
import org.trustfleet.pki.SignatureVerdicts;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.ValidationResult;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * The running service answers repeated signature checks from its {@code signature-verdicts} cache, and keeps the
 * verdicts in the {@code signature_verdict} table, from which a replica that has just started reads them.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class SignatureVerdictCacheTest {
    private static final Pattern HITS = Pattern.compile(
            "cache_gets_total\\{[^}]*cache=\"signature-verdicts\"[^}]*result=\"hit\"[^}]*} ([0-9.E+]+)");

    @Inject
    SignatureVerdictCache cache;
    @Inject
    AgroalDataSource db;

    @Test
    void aCheckMadeOnceIsAnsweredFromTheCacheTheNextTime() throws Exception {
        assertThat(Security.getProvider(SignatureVerdicts.PROVIDER)).isNotNull();
        TestPki.Cert issuer = TestPki.root("Verdict Cache Root").issueIntermediate("Verdict Cache Int");
        X509Certificate leaf = issuer.issueLeaf("verdict-cache.example.test").cert();
        assertThat(Certificates.verifies(leaf, issuer.cert().getPublicKey())).isTrue();
        double before = hits();

        // the same signature checked again, as any later computation would check it: from the cache
        Signature again = Signature.getInstance(leaf.getSigAlgName(), SignatureVerdicts.PROVIDER);
        again.initVerify(issuer.cert().getPublicKey());
        again.update(leaf.getTBSCertificate());
        assertThat(again.verify(leaf.getSignature())).isTrue();

        assertThat(hits()).isEqualTo(before + 1);
    }

    @Test
    void pathsAreJudgedWithTheVerdictsAsWithout() {
        TestPki.Cert root = TestPki.root("Verdict Path Root");
        TestPki.Cert issuer = root.issueIntermediate("Verdict Path Int");
        TestPki.Cert impostor = root.issueIntermediate("Verdict Path Int");  // same name, another key
        Instant now = Instant.now();
        for (int i = 0; i < 2; i++) {  // the second time from the cache
            assertThat(AndroidValidator.create().validate(TestPki.certs(issuer.issueLeaf("ok.example.test"), issuer),
                    List.of(root.cert()), "ok.example.test", now).trusted()).isTrue();
            ValidationResult forged = AndroidValidator.create().validate(
                    TestPki.certs(impostor.issueLeaf("forged.example.test"), issuer), List.of(root.cert()),
                    "forged.example.test", now);
            assertThat(forged.trusted()).isFalse();
        }
    }

    @Test
    void aVerdictIsWrittenToTheTableAndAnsweredFromItAfterARestart() throws Exception {
        Issued issued = issuedAndChecked("Verdict Table", "verdict-table.example.test");
        TestPki.Cert issuer = issued.issuer();
        X509Certificate leaf = issued.leaf();
        byte[] id = issued.id();
        cache.write();
        assertThat(row(id)).isEqualTo("true");

        // another replica (or this one, before its restart) says otherwise: believed once this replica reads it
        exec("UPDATE signature_verdict SET verifies = false, kept_at = now() WHERE id = ?", id);
        assertThat(check(leaf, issuer)).as("still from memory").isTrue();
        cache.forget();  // a restart
        assertThat(cache.refresh()).isPositive();
        assertThat(check(leaf, issuer)).as("answered from the table, not checked again").isFalse();
        exec("DELETE FROM signature_verdict WHERE id = ?", id);
    }

    @Test
    void aScanWritesTheVerdictOfTheLeafItChecked() throws Exception {
        TestPki.Cert root = TestPki.root("Verdict Scan Root");
        TestPki.Cert issuer = root.issueIntermediate("Verdict Scan Int");
        TestPki.Cert leaf = issuer.issueLeaf("verdict-scan.example.test");
        String[] t = ApiFixtures.tenantWithAdmin("verdict-scan");
        try (TestTlsServer server = TestTlsServer.tls(TestPki.certs(leaf, issuer, root),
                leaf.keyPair().getPrivate())) {
            String endpoint = as(t[1]).contentType(ContentType.JSON).body(Map.of("name", "verdict-scan",
                            "host", "127.0.0.1", "port", server.port(), "serverName", "verdict-scan.example.test"))
                    .post("/api/v1/tenants/{t}/endpoints", t[0]).then().statusCode(201).extract().path("id");
            as(t[1]).post("/api/v1/tenants/{t}/endpoints/{e}/scans", t[0], endpoint).then().statusCode(201);
        }
        cache.write();
        // what a store change re-judging this endpoint checks first: already in the table, for any replica
        assertThat(row(keyOf(leaf.cert(), issuer).bytes())).isEqualTo("true");
    }

    @Test
    void aVerdictStillInUseIsWrittenAgainBeforeRetentionWouldPruneIt() throws Exception {
        Issued issued = issuedAndChecked("Verdict Age", "verdict-age.example.test");
        TestPki.Cert issuer = issued.issuer();
        X509Certificate leaf = issued.leaf();
        byte[] id = issued.id();
        cache.write();
        // written 40 days ago (more than a third of the default 90-day age), and read so by a restarted replica
        exec("UPDATE signature_verdict SET kept_at = now() - interval '40 days' WHERE id = ?", id);
        cache.forget();
        cache.refresh();
        cache.write();
        assertThat(keptDaysAgo(id)).as("reading it is no use").isEqualTo(40);

        assertThat(check(leaf, issuer)).isTrue();
        cache.write();
        assertThat(keptDaysAgo(id)).as("used: written again").isZero();
        exec("DELETE FROM signature_verdict WHERE id = ?", id);
    }

    @Test
    void verdictsForTheSameKeyInOneBatchAreOneRow() throws Exception {
        Issued issued = issuedAndChecked("Verdict Batch", "verdict-batch.example.test");
        TestPki.Cert issuer = issued.issuer();
        X509Certificate leaf = issued.leaf();
        byte[] id = issued.id();
        cache.forget();  // checked again, so kept (and queued) twice before one write
        assertThat(check(leaf, issuer)).isTrue();
        cache.write();
        assertThat(row(id)).isEqualTo("true");
        exec("DELETE FROM signature_verdict WHERE id = ?", id);
    }

    /** A leaf, its issuer and the key of the leaf's signature verdict. */
    private record Issued(TestPki.Cert issuer, X509Certificate leaf, byte[] id) {
    }

    /** A fresh leaf whose signature the service has checked once (valid), as the path builder checks it. */
    private static Issued issuedAndChecked(String name, String host) throws Exception {
        TestPki.Cert issuer = TestPki.root(name + " Root").issueIntermediate(name + " Int");
        X509Certificate leaf = issuer.issueLeaf(host).cert();
        assertThat(Certificates.verifies(leaf, issuer.cert().getPublicKey())).isTrue();
        return new Issued(issuer, leaf, keyOf(leaf, issuer).bytes());
    }

    private static SignatureVerdicts.Key keyOf(X509Certificate leaf, TestPki.Cert issuer) throws Exception {
        return SignatureVerdicts.keyOf(leaf.getSigAlgName(), null, issuer.cert().getPublicKey(),
                leaf.getTBSCertificate(), leaf.getSignature());
    }

    /**
     * The check as the provider answers it. Not {@code Certificates.verifies} again: a certificate object remembers
     * its own last successful check, and would answer without asking.
     */
    private static boolean check(X509Certificate leaf, TestPki.Cert issuer) throws Exception {
        Signature s = Signature.getInstance(leaf.getSigAlgName(), SignatureVerdicts.PROVIDER);
        s.initVerify(issuer.cert().getPublicKey());
        s.update(leaf.getTBSCertificate());
        return s.verify(leaf.getSignature());
    }

    /** The row's verdict, or "none". */
    private String row(byte[] id) throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT verifies FROM signature_verdict WHERE id = ?")) {
            s.setBytes(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? String.valueOf(r.getBoolean(1)) : "none";
            }
        }
    }

    private long keptDaysAgo(byte[] id) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT extract(day FROM now() - kept_at) FROM signature_verdict WHERE id = ?")) {
            s.setBytes(1, id);
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).isTrue();
                return r.getLong(1);
            }
        }
    }

    private void exec(String sql, byte[] id) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setBytes(1, id);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }

    private static double hits() {
        String metrics = RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = HITS.matcher(metrics);
        assertThat(m.find()).as("the cache's hit count in the metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }
}
