package org.trustfleet.pki;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.trustfleet.testing.FuzzSeeds;

/**
 * Fuzzes {@link CertificateParser} (PEM bundles, single DER, certs-only PKCS#7 in DER and PEM), the parser behind
 * every certificate an admin uploads: whatever the bytes, it returns certificates or throws
 * {@link CertificateParseException} (which the API answers with 400), never anything else, within the per-input
 * timeout and the fuzz JVM's bounded heap. What it returns must also survive what the service does next with an
 * uploaded certificate (fingerprint, summary, CA predicate, re-encoding).
 *
 * <p>Every build replays the seeds (generated here from the test PKI) and any committed findings; the {@code fuzz}
 * Maven profile fuzzes for a bounded time (see the pom).
 */
class CertificateParserFuzzTest {
    private static final String METHOD = "parse";

    @BeforeAll
    static void seeds() {
        TestPki.Cert root = TestPki.root("Fuzz Root");
        TestPki.Cert intermediate = root.issueIntermediate("Fuzz Intermediate");
        TestPki.Cert leaf = intermediate.issueLeaf("fuzz.example");
        TestPki.Cert rsa = TestPki.rootBuilder("Fuzz RSA Root").keyType(TestPki.KeyType.RSA_2048).build();
        List<X509Certificate> chain = TestPki.certs(leaf, intermediate, root);
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("der", CertificateEncoder.der(root.cert()));
        seeds.put("der-rsa", CertificateEncoder.der(rsa.cert()));
        seeds.put("pem-chain", CertificateEncoder.toPem(chain).getBytes(StandardCharsets.US_ASCII));
        seeds.put("pkcs7-der", CertificateEncoder.toPkcs7Der(chain));
        seeds.put("pkcs7-pem", CertificateEncoder.toPkcs7Pem(List.of(intermediate.cert()))
                .getBytes(StandardCharsets.US_ASCII));
        FuzzSeeds.write(CertificateParserFuzzTest.class, METHOD, seeds);
    }

    @FuzzTest(maxDuration = "60s")
    void parse(byte[] input) {
        List<X509Certificate> certificates;
        try {
            certificates = CertificateParser.parse(input);
        } catch (CertificateParseException rejected) {
            return; // the documented answer to bad input
        }
        assertThat(certificates).isNotEmpty().doesNotContainNull();
        for (X509Certificate certificate : certificates) {
            assertThat(Sha256.of(certificate)).hasSize(64);
            CertificateSummary.of(certificate);
            Certificates.isCaCertificate(certificate);
            assertThat(CertificateParser.parse(CertificateEncoder.der(certificate))).containsExactly(certificate);
        }
    }
}
