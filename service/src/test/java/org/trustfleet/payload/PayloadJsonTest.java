package org.trustfleet.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.Sha256;

class PayloadJsonTest {

    static final UUID TENANT = UUID.fromString("3f1c2b4a-1111-4222-8333-944455556666");
    static final UUID GROUP = UUID.fromString("00000000-0000-4000-8000-000000000007");

    private static PayloadDocument sample() {
        return PayloadFixtures.doc(TENANT, GROUP, 42, Instant.parse("2025-01-02T03:04:05Z"),
                Instant.parse("2025-01-09T03:04:05Z"), PayloadFixtures.INT_A, PayloadFixtures.ROOT_C);
    }

    private static String json(PayloadDocument d) {
        return new String(PayloadJson.write(d), StandardCharsets.UTF_8);
    }

    @Test
    void canonicalFieldOrderAndFormat() {
        PayloadDocument d = sample();
        PayloadCertificate c0 = d.certificates().get(0);
        PayloadCertificate c1 = d.certificates().get(1);
        String expected = "{\"schema\":\"trustfleet.payload/v1\",\"tenantId\":\"" + TENANT + "\",\"deviceGroupId\":\""
                + GROUP + "\",\"version\":42,\"issuedAt\":\"2025-01-02T03:04:05Z\",\"expiresAt\":\"2025-01-09T03:04:05Z\","
                + "\"certificates\":[" + cert(c0, "intermediate") + "," + cert(c1, "root") + "],\"endpoints\":[]}";
        assertThat(json(d)).isEqualTo(expected);
        assertThat(json(d)).doesNotContain("\n", " :", ": ");
    }

    @Test
    void endpointsFollowCertificatesInCanonicalOrderAndRoundTrip() {
        PayloadDocument base = sample();
        UUID a = UUID.fromString("00000000-0000-0000-0000-00000000000a");
        UUID b = UUID.fromString("00000000-0000-0000-0000-00000000000b");
        PayloadDocument d = new PayloadDocument(base.tenantId(), base.deviceGroupId(), base.version(),
                base.issuedAt(), base.expiresAt(), base.certificates(), List.of(
                        new PayloadEndpoint(a, "sts.contoso.com", 443, "sts.contoso.com", PayloadEndpoint.TLS),
                        new PayloadEndpoint(b, "10.0.0.5", 8443, null, PayloadEndpoint.TLS)));
        assertThat(json(d)).endsWith("\"endpoints\":[{\"endpointId\":\"" + a + "\",\"host\":\"sts.contoso.com\","
                + "\"port\":443,\"serverName\":\"sts.contoso.com\",\"protocol\":\"tls\"},{\"endpointId\":\"" + b
                + "\",\"host\":\"10.0.0.5\",\"port\":8443,\"protocol\":\"tls\"}]}");
        assertThat(PayloadJson.read(PayloadJson.write(d))).isEqualTo(d);
        // a document from before endpoints were listed reads as one without them
        String old = json(base).replace(",\"endpoints\":[]", "");
        assertThat(read(old).endpoints()).isEmpty();
        assertThatThrownBy(() -> read(json(d).replace("\"port\":443", "\"port\":\"443\"")))
                .isInstanceOf(PayloadFormatException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> read(json(d).replace(b.toString(), a.toString())))
                .isInstanceOf(PayloadFormatException.class).hasMessageContaining("duplicate endpoint");
    }

    private static String cert(PayloadCertificate c, String role) {
        return "{\"sha256\":\"" + c.sha256() + "\",\"role\":\"" + role + "\",\"der\":\"" + c.der()
                + "\",\"subject\":\"" + c.subject() + "\",\"notAfter\":\"" + c.notAfter() + "\"}";
    }

    @Test
    void roundTripAndStableBytes() {
        PayloadDocument d = sample();
        byte[] a = PayloadJson.write(d);
        PayloadDocument back = PayloadJson.read(a);
        assertThat(back).isEqualTo(d);
        assertThat(PayloadJson.write(back)).isEqualTo(a);
        assertThat(back.certificates().get(0).certificate()).isEqualTo(PayloadFixtures.INT_A.cert());
        assertThat(back.sha256Set()).containsExactlyInAnyOrder(PayloadFixtures.INT_A.sha256(),
                PayloadFixtures.ROOT_C.sha256());
    }

    @Test
    void derIsStandardBase64AndNotAfterIsUtc() {
        PayloadCertificate c = sample().certificates().get(0);
        assertThat(c.der()).doesNotContain("\n", "-", "_");
        assertThat(Base64.getDecoder().decode(c.der())).isEqualTo(encoded());
        assertThat(json(sample())).contains("\"notAfter\":\"" + PayloadJson.instant(c.notAfter()) + "\"");
        assertThat(PayloadJson.instant(c.notAfter())).endsWith("Z");
    }

    private static byte[] encoded() {
        try {
            return PayloadFixtures.INT_A.cert().getEncoded();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void emptyCertificateListIsValid() {
        PayloadDocument d = new PayloadDocument(TENANT, GROUP, 0, Instant.parse("2025-01-01T00:00:00Z"),
                Instant.parse("2025-01-02T00:00:00Z"), List.of());
        assertThat(PayloadJson.read(PayloadJson.write(d))).isEqualTo(d);
    }

    @Test
    void rejectsUnknownSchema() {
        String j = json(sample()).replace("trustfleet.payload/v1", "trustfleet.payload/v2");
        assertThatThrownBy(() -> read(j)).isInstanceOf(PayloadFormatException.class).hasMessageContaining("schema");
    }

    @Test
    void rejectsEachMissingTopLevelField() {
        for (String field : List.of("schema", "tenantId", "deviceGroupId", "version", "issuedAt", "expiresAt",
                "certificates")) {
            String j = json(sample()).replaceFirst("\"" + field + "\"", "\"x" + field + "\"");
            assertThatThrownBy(() -> read(j)).as(field).isInstanceOf(PayloadFormatException.class)
                    .hasMessageContaining(field);
        }
    }

    @Test
    void rejectsMissingCertificateField() {
        for (String field : List.of("sha256", "role", "der", "subject", "notAfter")) {
            String j = json(sample()).replaceFirst("\"" + field + "\"", "\"x" + field + "\"");
            assertThatThrownBy(() -> read(j)).as(field).isInstanceOf(PayloadFormatException.class)
                    .hasMessageContaining(field);
        }
    }

    @Test
    void rejectsDerWhoseHashDiffersFromSha256() {
        PayloadCertificate c = sample().certificates().get(0);
        String j = json(sample()).replace(c.sha256(), Sha256.hex(new byte[] {1}));
        assertThatThrownBy(() -> read(j)).isInstanceOf(PayloadFormatException.class)
                .hasMessageContaining("does not match");
    }

    @Test
    void rejectsNonCertificateDerEvenWithMatchingHash() {
        byte[] junk = "junk".getBytes(StandardCharsets.US_ASCII);
        PayloadCertificate c = sample().certificates().get(0);
        String j = json(sample()).replace(c.sha256(), Sha256.hex(junk))
                .replace(c.der(), Base64.getEncoder().encodeToString(junk));
        assertThatThrownBy(() -> read(j)).isInstanceOf(PayloadFormatException.class)
                .hasMessageContaining("not an X.509");
    }

    @Test
    void rejectsBadTypesDuplicatesAndGarbage() {
        String base = json(sample());
        assertThatThrownBy(() -> read(base.replace("\"version\":42", "\"version\":\"42\"")))
                .isInstanceOf(PayloadFormatException.class);
        assertThatThrownBy(() -> read(base.replace("\"version\":42", "\"version\":4.2")))
                .isInstanceOf(PayloadFormatException.class);
        assertThatThrownBy(() -> read(base.replace("\"version\":42", "\"version\":-1")))
                .isInstanceOf(PayloadFormatException.class);
        assertThatThrownBy(() -> read(base.replace("{\"schema\"", "{\"version\":1,\"schema\"")))
                .isInstanceOf(PayloadFormatException.class);
        assertThatThrownBy(() -> read(base.replace("\"role\":\"root\"", "\"role\":\"leaf\"")))
                .isInstanceOf(PayloadFormatException.class);
        assertThatThrownBy(() -> read(base.replace("2025-01-09T03:04:05Z", "2025-01-09T03:04:05+01:00")))
                .isInstanceOf(PayloadFormatException.class);
        assertThatThrownBy(() -> read(base.replace("2025-01-09T03:04:05Z", "2024-01-09T03:04:05Z")))
                .isInstanceOf(PayloadFormatException.class).hasMessageContaining("expiresAt");
        assertThatThrownBy(() -> read(base + "{}")).isInstanceOf(PayloadFormatException.class);
        assertThatThrownBy(() -> read("[]")).isInstanceOf(PayloadFormatException.class);
        assertThatThrownBy(() -> read("")).isInstanceOf(PayloadFormatException.class);
        assertThatThrownBy(() -> read("{\"schema\":")).isInstanceOf(PayloadFormatException.class);
    }

    @Test
    void rejectsDuplicateCertificates() {
        PayloadCertificate c = sample().certificates().get(0);
        assertThatThrownBy(() -> new PayloadDocument(TENANT, GROUP, 1, Instant.EPOCH, Instant.EPOCH.plusSeconds(1),
                List.of(c, c))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate");
    }

    @Test
    void ignoresUnknownExtraFields() {
        String j = json(sample()).replace("{\"schema\"", "{\"note\":\"hello\",\"schema\"");
        assertThat(read(j)).isEqualTo(sample());
    }

    private static PayloadDocument read(String s) {
        return PayloadJson.read(s.getBytes(StandardCharsets.UTF_8));
    }
}
