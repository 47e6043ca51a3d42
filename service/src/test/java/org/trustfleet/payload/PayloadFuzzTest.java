package org.trustfleet.payload;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.trustfleet.testing.FuzzSeeds;

/**
 * Fuzzes what a device does with the bytes it downloads: {@link CmsPayloadVerifier#verify} (CMS SignedData, the
 * signer chain, the signature) and {@link PayloadJson#read} (the signed document, which the verifier reaches only
 * behind a valid signature, so it is fuzzed on its own too). The first input byte picks the target. Whatever the
 * bytes: the verifier accepts or throws {@link PayloadVerificationException} with a reason, the document reader
 * returns a document or throws {@link PayloadFormatException}; nothing else, within the per-input timeout and the
 * fuzz JVM's bounded heap. Nothing unsigned may pass: a mutated payload is accepted only if its signed content is
 * exactly a document our signer signed.
 */
class PayloadFuzzTest {
    private static final String METHOD = "verifyOrRead";
    private static final byte VERIFY = 0;
    private static final byte READ = 1;
    private static final UUID TENANT = UUID.fromString("3f1c2b4a-1111-4222-8333-944455556666");
    private static final UUID GROUP = UUID.fromString("00000000-0000-4000-8000-000000000007");
    private static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");

    private static SigningAuthority authority;
    private static CmsPayloadVerifier verifier;
    private static Map<String, byte[]> signedDocuments;

    @BeforeAll
    static void seeds() {
        authority = SigningAuthority.generate("fuzz", NOW.minusSeconds(3600));
        TenantSigner signer = authority.issueSigner(TENANT, NOW.minusSeconds(3600));
        verifier = new CmsPayloadVerifier(Clock.fixed(NOW, ZoneOffset.UTC));
        CmsPayloadSigner signing = new CmsPayloadSigner(Clock.fixed(NOW, ZoneOffset.UTC));
        PayloadDocument empty = PayloadFixtures.doc(TENANT, GROUP, 1, NOW, NOW.plusSeconds(86_400));
        PayloadDocument two = PayloadFixtures.doc(TENANT, GROUP, 7, NOW, NOW.plusSeconds(86_400),
                PayloadFixtures.INT_A, PayloadFixtures.ROOT_C);
        signedDocuments = new LinkedHashMap<>();
        signedDocuments.put("empty", PayloadJson.write(empty));
        signedDocuments.put("two", PayloadJson.write(two));
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("cms-empty", prefixed(VERIFY, signing.sign(empty, signer)));
        seeds.put("cms-two", prefixed(VERIFY, signing.sign(two, signer)));
        seeds.put("json-empty", prefixed(READ, PayloadJson.write(empty)));
        seeds.put("json-two", prefixed(READ, PayloadJson.write(two)));
        seeds.put("json-unknown-schema", prefixed(READ, "{\"schema\":\"trustfleet.payload/v2\"}"
                .getBytes(StandardCharsets.UTF_8)));
        FuzzSeeds.write(PayloadFuzzTest.class, METHOD, seeds);
    }

    @FuzzTest(maxDuration = "60s")
    void verifyOrRead(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        if (input[0] % 2 == VERIFY) {
            try {
                VerifiedPayload verified = verifier.verify(body, authority.rootCertificate(), TENANT);
                assertThat(signedDocuments.values()).as("only content our signer signed verifies")
                        .anySatisfy(signed -> assertThat(verified.content()).isEqualTo(signed));
            } catch (PayloadVerificationException rejected) {
                assertThat(rejected.reason()).isNotNull();
            }
        } else {
            try {
                PayloadDocument document = PayloadJson.read(body);
                // what reads must also write: the canonical form of an accepted document reads back to itself
                assertThat(PayloadJson.read(PayloadJson.write(document))).isEqualTo(document);
            } catch (PayloadFormatException rejected) {
                assertThat(rejected.getMessage()).isNotBlank();
            }
        }
    }

    private static byte[] prefixed(byte target, byte[] body) {
        byte[] out = new byte[body.length + 1];
        out[0] = target;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }
}
