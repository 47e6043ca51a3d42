package org.trustfleet.truststore;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.security.Security;
import java.security.Signature;
import java.security.cert.X509Certificate;
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
import org.trustfleet.testing.EmbeddedPostgresResource;

/** The running service answers repeated signature checks from its {@code signature-verdicts} cache. */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class SignatureVerdictCacheTest {
    private static final Pattern HITS = Pattern.compile(
            "cache_gets_total\\{[^}]*cache=\"signature-verdicts\"[^}]*result=\"hit\"[^}]*} ([0-9.E+]+)");

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

    private static double hits() {
        String metrics = RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = HITS.matcher(metrics);
        assertThat(m.find()).as("the cache's hit count in the metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }
}
