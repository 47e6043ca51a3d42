package org.trustfleet.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.cms.CMSSignedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trustfleet.pki.CertificateEncoder;

class CmsPayloadTest {

    static final UUID TENANT = UUID.fromString("3f1c2b4a-1111-4222-8333-944455556666");
    static final UUID OTHER_TENANT = UUID.fromString("9a8b7c6d-aaaa-4bbb-8ccc-dddd00001111");
    static final UUID GROUP = UUID.fromString("00000000-0000-4000-8000-000000000007");

    static SigningAuthority authority;
    static TenantSigner signer;

    @TempDir
    Path tmp;

    @BeforeAll
    static void keys() {
        authority = SigningAuthority.generate("test", Instant.now());
        signer = authority.issueSigner(TENANT, Instant.now());
    }

    private static byte[] signedDoc(TenantSigner s, long version) {
        return new CmsPayloadSigner().sign(PayloadFixtures.doc(s.tenantId(), GROUP, version,
                PayloadFixtures.INT_A, PayloadFixtures.ROOT_C), s);
    }

    private static VerificationFailure failureOf(byte[] cms, UUID tenant) {
        try {
            new CmsPayloadVerifier().verify(cms, authority.rootCertificate(), tenant);
            throw new AssertionError("verification unexpectedly succeeded");
        } catch (PayloadVerificationException e) {
            return e.reason();
        }
    }

    @Test
    void signThenVerifyRoundTrip() throws Exception {
        PayloadDocument doc = PayloadFixtures.doc(TENANT, GROUP, 3, PayloadFixtures.INT_A, PayloadFixtures.ROOT_C);
        Instant signedAt = Instant.parse("2025-06-01T10:00:00Z");
        byte[] cms = new CmsPayloadSigner(Clock.fixed(signedAt, ZoneOffset.UTC)).sign(doc, signer);

        VerifiedPayload v = new CmsPayloadVerifier().verify(cms, authority.rootCertificate(), TENANT);

        assertThat(v.document()).isEqualTo(doc);
        assertThat(v.content()).isEqualTo(PayloadJson.write(doc));
        assertThat(v.signer()).isEqualTo(signer.signer().certificate());
        assertThat(v.signingTime()).contains(signedAt);
    }

    @Test
    void outputIsDerSignedDataWithEncapsulatedIdDataAndBothCertificates() throws Exception {
        byte[] cms = signedDoc(signer, 1);
        CMSSignedData sd = new CMSSignedData(cms);
        assertThat(sd.getSignedContentTypeOID()).isEqualTo("1.2.840.113549.1.7.1");
        assertThat(sd.getSignedContent()).isNotNull();
        assertThat(sd.getCertificates().getMatches(null)).hasSize(2);
        var si = sd.getSignerInfos().getSigners().iterator().next();
        assertThat(si.getDigestAlgOID()).isEqualTo("2.16.840.1.101.3.4.2.1");
        assertThat(si.getEncryptionAlgOID()).isEqualTo("1.2.840.10045.4.3.2");
        assertThat(si.getSignedAttributes().get(org.bouncycastle.asn1.cms.CMSAttributes.contentType)).isNotNull();
        assertThat(si.getSignedAttributes().get(org.bouncycastle.asn1.cms.CMSAttributes.messageDigest)).isNotNull();
        assertThat(si.getSignedAttributes().get(org.bouncycastle.asn1.cms.CMSAttributes.signingTime)).isNotNull();
        // DER: definite lengths, re-encoding is the identity
        assertThat(sd.getEncoded("DER")).isEqualTo(cms);
        assertThat(cms[1] & 0xff).isNotEqualTo(0x80);
    }

    /** The documented interop command line: openssl cms -verify -inform DER -in payload.p7m -CAfile root.pem -purpose any. */
    @Test
    void opensslCmsVerifyAcceptsPayload() throws Exception {
        byte[] cms = signedDoc(signer, 5);
        byte[] content = new CmsPayloadVerifier().verify(cms, authority.rootCertificate(), TENANT).content();
        Path p7m = tmp.resolve("payload.p7m");
        Path root = tmp.resolve("root.pem");
        Files.write(p7m, cms);
        Files.writeString(root, CertificateEncoder.toPem(List.of(authority.rootCertificate())));

        Result documented = openssl("cms", "-verify", "-inform", "DER", "-in", p7m.toString(),
                "-CAfile", root.toString(), "-purpose", "any");
        assertThat(documented.exit).as(documented.stderr).isZero();
        assertThat(documented.stdout).isEqualTo(content);
        assertThat(documented.stderr).contains("Verification successful");

        // The default purpose (smimesign) also accepts it: the signer has no EKU and keyUsage digitalSignature.
        Result defaultPurpose = openssl("cms", "-verify", "-inform", "DER", "-in", p7m.toString(),
                "-CAfile", root.toString());
        assertThat(defaultPurpose.exit).as(defaultPurpose.stderr).isZero();
        assertThat(defaultPurpose.stdout).isEqualTo(content);
    }

    @Test
    void opensslRejectsTamperedPayloadAndForeignRoot() throws Exception {
        byte[] cms = signedDoc(signer, 5);
        Path root = tmp.resolve("root.pem");
        Files.writeString(root, CertificateEncoder.toPem(List.of(authority.rootCertificate())));
        Path tampered = tmp.resolve("tampered.p7m");
        Files.write(tampered, tamper(cms));
        assertThat(openssl("cms", "-verify", "-inform", "DER", "-in", tampered.toString(), "-CAfile",
                root.toString(), "-purpose", "any").exit).isNotZero();

        Path otherRoot = tmp.resolve("other.pem");
        Files.writeString(otherRoot, CertificateEncoder.toPem(List.of(
                SigningAuthority.generate("other", Instant.now()).rootCertificate())));
        Path good = tmp.resolve("good.p7m");
        Files.write(good, cms);
        assertThat(openssl("cms", "-verify", "-inform", "DER", "-in", good.toString(), "-CAfile",
                otherRoot.toString(), "-purpose", "any").exit).isNotZero();
    }

    @Test
    void tamperedContentByteIsBadSignature() {
        assertThat(failureOf(tamper(signedDoc(signer, 1)), TENANT)).isEqualTo(VerificationFailure.BAD_SIGNATURE);
    }

    @Test
    void otherTenantsSignerFromSameRootIsWrongTenant() {
        TenantSigner other = authority.issueSigner(OTHER_TENANT, Instant.now());
        assertThat(failureOf(signedDoc(other, 1), TENANT)).isEqualTo(VerificationFailure.WRONG_TENANT);
    }

    @Test
    void documentNamingAnotherTenantIsWrongTenant() {
        byte[] content = PayloadJson.write(PayloadFixtures.doc(OTHER_TENANT, GROUP, 1, PayloadFixtures.INT_A));
        byte[] cms = new CmsPayloadSigner().sign(content, signer.signer().privateKey(), signer.chain());
        assertThat(failureOf(cms, TENANT)).isEqualTo(VerificationFailure.WRONG_TENANT);
    }

    @Test
    void signerFromAnotherRootIsUntrusted() {
        TenantSigner foreign = SigningAuthority.generate("evil", Instant.now()).issueSigner(TENANT, Instant.now());
        assertThat(failureOf(signedDoc(foreign, 1), TENANT)).isEqualTo(VerificationFailure.UNTRUSTED_SIGNER);
    }

    @Test
    void payloadSignedDirectlyByTheRootIsUntrusted() {
        byte[] content = PayloadJson.write(PayloadFixtures.doc(TENANT, GROUP, 1, PayloadFixtures.INT_A));
        byte[] cms = new CmsPayloadSigner().sign(content, authority.root().privateKey(),
                List.of(authority.rootCertificate()));
        assertThat(failureOf(cms, TENANT)).isEqualTo(VerificationFailure.UNTRUSTED_SIGNER);
    }

    @Test
    void garbageIsMalformed() {
        assertThat(failureOf("not a payload".getBytes(StandardCharsets.US_ASCII), TENANT))
                .isEqualTo(VerificationFailure.MALFORMED);
        assertThat(failureOf(new byte[0], TENANT)).isEqualTo(VerificationFailure.MALFORMED);
        assertThat(failureOf(new byte[] {0x30, (byte) 0x82, 0x10, 0x00, 0x06}, TENANT))
                .isEqualTo(VerificationFailure.MALFORMED);
        // certs-only PKCS#7 (no signer, no content)
        assertThat(failureOf(CertificateEncoder.toPkcs7Der(signer.chain()), TENANT))
                .isEqualTo(VerificationFailure.MALFORMED);
    }

    @Test
    void validSignatureOverNonPayloadJsonIsMalformed() {
        byte[] cms = new CmsPayloadSigner().sign("{\"schema\":\"other/v9\"}".getBytes(StandardCharsets.UTF_8),
                signer.signer().privateKey(), signer.chain());
        assertThat(failureOf(cms, TENANT)).isEqualTo(VerificationFailure.MALFORMED);
    }

    @Test
    void expiredSignerCertificateIsRejected() {
        Instant now = Instant.now();
        SigningAuthority old = SigningAuthority.generate("old", now.minus(Duration.ofDays(60)),
                now.plus(Duration.ofDays(365)));
        TenantSigner expired = old.issueSigner(TENANT, now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
        Clock then = Clock.fixed(now.minus(Duration.ofDays(2)), ZoneOffset.UTC);
        byte[] cms = new CmsPayloadSigner(then)
                .sign(PayloadFixtures.doc(TENANT, GROUP, 1, PayloadFixtures.INT_A), expired);
        assertThat(catchVerify(cms, old, Clock.systemUTC()).reason()).isEqualTo(VerificationFailure.SIGNER_EXPIRED);
        // the same payload verified with a clock inside the signer's validity passes
        assertThat(catchVerify(cms, old, then)).isNull();
    }

    @Test
    void notYetValidSignerIsRejected() {
        Instant now = Instant.now();
        TenantSigner future = authority.issueSigner(TENANT, now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(9)));
        assertThat(failureOf(signedDoc(future, 1), TENANT)).isEqualTo(VerificationFailure.SIGNER_EXPIRED);
    }

    @Test
    void rotatedSignerOfSameRootVerifies() throws Exception {
        TenantSigner rotated = authority.issueSigner(TENANT, Instant.now());
        assertThat(rotated.signer().certificate()).isNotEqualTo(signer.signer().certificate());
        assertThat(new CmsPayloadVerifier().verify(signedDoc(rotated, 2), authority.rootCertificate(), TENANT)
                .document().version()).isEqualTo(2);
    }

    @Test
    void signerRefusesKeyThatDoesNotMatchCertificate() {
        TenantSigner other = authority.issueSigner(TENANT, Instant.now());
        assertThatThrownBy(() -> new CmsPayloadSigner().sign(new byte[] {1}, other.signer().privateKey(),
                signer.chain())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CmsPayloadSigner().sign(
                PayloadFixtures.doc(OTHER_TENANT, GROUP, 1, PayloadFixtures.INT_A), signer))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Documents are signed without checking each signature: that rests on this check when the key is made. */
    @Test
    void aSigningKeyIsRefusedWithAPrivateKeyOfAnotherCertificate() {
        TenantSigner other = authority.issueSigner(TENANT, Instant.now());
        assertThatThrownBy(() -> new SigningKey(signer.signer().certificate(), other.signer().privateKey()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong");
        assertThatThrownBy(() -> new TenantSigner(TENANT, new SigningKey(signer.signer().certificate(),
                authority.root().privateKey()), authority.rootCertificate()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new SigningKey(signer.signer().certificate(), signer.signer().privateKey()).certificate())
                .isEqualTo(signer.signer().certificate());
    }

    private static PayloadVerificationException catchVerify(byte[] cms, SigningAuthority a, Clock clock) {
        try {
            new CmsPayloadVerifier(clock).verify(cms, a.rootCertificate(), TENANT);
            return null;
        } catch (PayloadVerificationException e) {
            return e;
        }
    }

    /** Flips one byte inside the encapsulated JSON (locates {@code "version"} in the DER). */
    static byte[] tamper(byte[] cms) {
        byte[] copy = cms.clone();
        byte[] needle = "\"schema\"".getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(copy, needle);
        assertThat(at).isPositive();
        copy[at + 1] ^= 0x01; // "schema" -> "rchema": still the same length, digest no longer matches
        return copy;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    record Result(int exit, byte[] stdout, String stderr) {
    }

    static Result openssl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("openssl timed out");
        }
        return new Result(p.exitValue(), out, err.join());
    }
}
