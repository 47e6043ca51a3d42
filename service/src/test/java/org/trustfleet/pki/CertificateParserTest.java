package org.trustfleet.pki;

import org.trustfleet.testing.Bytes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.trustfleet.pki.TestPki.certs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing and encoding: PEM bundles, DER, PKCS#7 (DER and PEM), error positions and limits. */
class CertificateParserTest {

    static final TestPki.Cert ROOT = TestPki.root("Parser Root");
    static final TestPki.Cert CA = ROOT.issueIntermediate("Parser CA");
    static final TestPki.Cert LEAF = CA.issueLeaf("parse.example.test");
    static final List<X509Certificate> CHAIN = certs(LEAF, CA, ROOT);

    @Test
    void pemBundleWithJunkCrlfAndWhitespaceBetweenBlocks() {
        String pem = CertificateEncoder.toPem(CHAIN);
        String[] blocks = pem.split("(?<=-----END CERTIFICATE-----\n)");
        String messy = "subject=CN=whatever\r\nissuer=...\r\n\r\n" + blocks[0].replace("\n", "\r\n")
                + "\n\n   some text a human pasted\n" + "  " + blocks[1].replace("\n", "\n  ")
                + "Bag Attributes: none\n" + blocks[2] + "\n\n";
        assertThat(CertificateParser.detect(messy.getBytes(StandardCharsets.UTF_8))).isEqualTo(CertificateFormat.PEM);
        assertThat(CertificateParser.parse(messy)).containsExactlyElementsOf(CHAIN);
    }

    @Test
    void bundledDataIsReadByTheJdkAloneInPemAndDer() throws Exception {
        X509Certificate root = TestPki.root("Bundled Root").cert();
        assertThat(CertificateParser.parseBundled(CertificateEncoder.toPem(List.of(root))
                .getBytes(StandardCharsets.UTF_8))).isEqualTo(root);
        assertThat(CertificateParser.parseBundled(root.getEncoded())).isEqualTo(root);
        assertThatThrownBy(() -> CertificateParser.parseBundled("not a certificate".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(CertificateParseException.class);
    }

    @Test
    void storedDerIsReadByTheJdkAloneAndDamageFailsAsSuch() throws Exception {
        X509Certificate root = TestPki.root("Stored Root").cert();
        assertThat(CertificateParser.parseStored(root.getEncoded())).isEqualTo(root);
        byte[] cut = Arrays.copyOf(root.getEncoded(), root.getEncoded().length / 2);
        assertThatThrownBy(() -> CertificateParser.parseStored(cut))
                .isInstanceOf(CertificateParseException.class).hasMessageContaining("stored certificate is not readable");
    }

    @Test
    void singleDer() {
        byte[] der = CertificateEncoder.der(LEAF.cert());
        assertThat(CertificateParser.detect(der)).isEqualTo(CertificateFormat.DER);
        assertThat(CertificateParser.parse(der)).containsExactly(LEAF.cert());
    }

    @Test
    void pkcs7DerRoundTripKeepsOrder() {
        byte[] p7 = CertificateEncoder.toPkcs7Der(CHAIN);
        assertThat(CertificateParser.detect(p7)).isEqualTo(CertificateFormat.PKCS7_DER);
        assertThat(CertificateParser.parse(p7)).containsExactlyElementsOf(CHAIN);
    }

    @Test
    void pkcs7PemRoundTripAndMixedBundle() {
        String p7pem = CertificateEncoder.toPkcs7Pem(CHAIN);
        assertThat(p7pem).startsWith("-----BEGIN PKCS7-----");
        assertThat(CertificateParser.parse(p7pem)).containsExactlyElementsOf(CHAIN);
        String mixed = CertificateEncoder.toPem(certs(LEAF)) + p7pem;
        assertThat(CertificateParser.parse(mixed)).hasSize(4);
    }

    @Test
    void corruptSecondBlockIsNamed() {
        String pem = CertificateEncoder.toPem(CHAIN);
        int second = pem.indexOf("-----BEGIN CERTIFICATE-----", 10);
        int bodyStart = pem.indexOf('\n', second) + 1;
        // Flip characters inside the base64 body so the DER no longer parses.
        String corrupt = pem.substring(0, bodyStart) + "MIIBad" + pem.substring(bodyStart + 6);
        assertThatThrownBy(() -> CertificateParser.parse(corrupt))
                .isInstanceOf(CertificateParseException.class)
                .hasMessageStartingWith("block 2:")
                .satisfies(e -> assertThat(((CertificateParseException) e).blockIndex()).isEqualTo(2));

        String badBase64 = pem.substring(0, bodyStart) + "!!!!" + pem.substring(bodyStart + 4);
        assertThatThrownBy(() -> CertificateParser.parse(badBase64)).hasMessageContaining("block 2: invalid base64");
    }

    @Test
    void structuralPemErrorsAreNamed() {
        String pem = CertificateEncoder.toPem(certs(LEAF));
        assertThatThrownBy(() -> CertificateParser.parse(pem + "-----BEGIN CERTIFICATE-----\nMIIB\n"))
                .hasMessageContaining("block 2").hasMessageContaining("END");
        assertThatThrownBy(() -> CertificateParser.parse(pem + "-----BEGIN PRIVATE KEY-----\nAAAA\n"
                + "-----END PRIVATE KEY-----\n")).hasMessageContaining("block 2: unsupported PEM type 'PRIVATE KEY'");
        assertThatThrownBy(() -> CertificateParser.parse("-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----"))
                .hasMessageContaining("block 1: empty PEM block");
    }

    @Test
    void corruptCertificateInsidePkcs7IsNamed() {
        byte[] p7 = CertificateEncoder.toPkcs7Der(CHAIN);
        byte[] caDer = CertificateEncoder.der(CA.cert());
        int at = Bytes.indexOf(p7, caDer);
        // Corrupt the signature bits of the 2nd certificate: structure stays valid, the certificate does not verify,
        // so corrupt the TBS version tag instead, which makes the certificate unparseable.
        p7[at + 4 + 4] = (byte) 0x05;
        assertThatThrownBy(() -> CertificateParser.parse(p7))
                .isInstanceOf(CertificateParseException.class)
                .hasMessageStartingWith("block 2:");
    }

    @Test
    void limits() {
        byte[] pem = CertificateEncoder.toPem(CHAIN).getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> CertificateParser.parse(pem, new ParseLimits(100, 10)))
                .hasMessageContaining("larger than the limit of 100 bytes")
                .satisfies(e -> assertThat(((CertificateParseException) e).blockIndex()).isZero());
        assertThatThrownBy(() -> CertificateParser.parse(pem, new ParseLimits(1 << 20, 2)))
                .hasMessageContaining("block 3: more than 2 certificates");
        byte[] p7 = CertificateEncoder.toPkcs7Der(CHAIN);
        assertThatThrownBy(() -> CertificateParser.parse(p7, new ParseLimits(1 << 20, 1)))
                .hasMessageContaining("more than 1 certificates");
    }

    @Test
    void garbageIsRejectedWithoutCrashing() {
        assertThatThrownBy(() -> CertificateParser.parse(new byte[0])).isInstanceOf(CertificateParseException.class);
        assertThatThrownBy(() -> CertificateParser.parse("hello world")).hasMessageContaining("unrecognised format");
        assertThatThrownBy(() -> CertificateParser.parse(new byte[] {0x30, (byte) 0x82, 0x7f}))
                .isInstanceOf(CertificateParseException.class);
        byte[] der = CertificateEncoder.der(LEAF.cert());
        byte[] trailing = java.util.Arrays.copyOf(der, der.length + 3);
        assertThatThrownBy(() -> CertificateParser.parse(trailing)).isInstanceOf(CertificateParseException.class);
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 500; i++) {
            byte[] mutated = der.clone();
            for (int k = 0; k < 3; k++) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            }
            try {
                CertificateParser.parse(mutated);
            } catch (CertificateParseException expected) {
                // fine: the only exception type allowed out of the parser
            }
        }
    }

    @Test
    void fingerprintAndSummary() throws Exception {
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(LEAF.cert()
                .getEncoded()));
        assertThat(Sha256.of(LEAF.cert())).isEqualTo(expected).matches("[0-9a-f]{64}");
        CertificateSummary leaf = CertificateSummary.of(LEAF.cert());
        assertThat(leaf.subject()).isEqualTo("CN=parse.example.test,O=Trustfleet Test");
        assertThat(leaf.issuer()).isEqualTo("CN=Parser CA,O=Trustfleet Test");
        assertThat(leaf.isCa()).isFalse();
        assertThat(leaf.selfSigned()).isFalse();
        CertificateSummary root = CertificateSummary.of(ROOT.cert());
        assertThat(root.isCa()).isTrue();
        assertThat(root.selfSigned()).isTrue();
        assertThat(root.notBefore()).isBefore(root.notAfter());
    }

    @Test
    void opensslReadsOurPkcs7(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl not installed");
        Path p7 = dir.resolve("chain.p7b");
        Files.write(p7, CertificateEncoder.toPkcs7Der(CHAIN));
        Process process = new ProcessBuilder("/usr/bin/openssl", "pkcs7", "-inform", "DER", "-in", p7.toString(),
                "-print_certs").redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        assertThat(CertificateParser.parse(out)).containsExactlyElementsOf(CHAIN);
    }

}
