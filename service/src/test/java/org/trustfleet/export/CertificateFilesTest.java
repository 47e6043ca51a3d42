package org.trustfleet.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;

/** The zip for upload consoles and the EST body, each read back by openssl. */
public class CertificateFilesTest {
    static final Cert ROOT = TestPki.root("Zip Root CA");
    static final Cert ISSUING = ROOT.issueIntermediate("Zip Issuing CA 2");
    static final Cert ODD = TestPki.root("Evil/../CA\nreason: forged");

    @TempDir
    Path dir;

    @Test
    void zipHasACerAndAPemPerCertificateThatOpensslReads() throws Exception {
        byte[] zip = CertificateFiles.zip("Field phones", 3, List.of(
                new CertificateFiles.Entry(ROOT.cert(), "root", List.of("INCLUDED_BY_POLICY at API levels 24")),
                new CertificateFiles.Entry(ISSUING.cert(), "intermediate",
                        List.of("MISSING_INTERMEDIATE for endpoint e1 at API levels 24, 25"))),
                List.of("the server does not send intermediate 'CN=Zip Issuing CA 2'"));
        Map<String, byte[]> files = unzip(zip);
        String rootBase = "Zip_Root_CA_" + ROOT.sha256().substring(0, 16);
        String issuingBase = "Zip_Issuing_CA_2_" + ISSUING.sha256().substring(0, 16);
        assertThat(files.keySet()).containsExactlyInAnyOrder(rootBase + ".cer", rootBase + ".pem",
                issuingBase + ".cer", issuingBase + ".pem", "README.txt");
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            if (file.getKey().equals("README.txt")) {
                continue;
            }
            Path path = dir.resolve(file.getKey());
            Files.write(path, file.getValue());
            String form = file.getKey().endsWith(".cer") ? "DER" : "PEM";
            String out = openssl(null, "x509", "-inform", form, "-in", path.toString(), "-noout", "-fingerprint",
                    "-sha256", "-subject");
            String expected = file.getKey().startsWith("Zip_Root") ? ROOT.sha256() : ISSUING.sha256();
            assertThat(out.replace(":", "").toLowerCase(java.util.Locale.ROOT)).contains(expected);
        }
        String readme = new String(files.get("README.txt"), StandardCharsets.UTF_8);
        assertThat(readme).contains("requirements version 3").contains(ROOT.sha256())
                .contains("INCLUDED_BY_POLICY at API levels 24")
                .contains("MISSING_INTERMEDIATE for endpoint e1 at API levels 24, 25")
                .contains(UserStoreCaveat.NETWORK_SECURITY_CONFIG)
                .contains("configure it to send the whole chain")
                .contains("the server does not send intermediate 'CN=Zip Issuing CA 2'");
        // the same set gives the same bytes (the ETag stays put)
        assertThat(CertificateFiles.zip("Field phones", 3, List.of(new CertificateFiles.Entry(ROOT.cert(), "root",
                List.of("INCLUDED_BY_POLICY at API levels 24")), new CertificateFiles.Entry(ISSUING.cert(),
                "intermediate", List.of("MISSING_INTERMEDIATE for endpoint e1 at API levels 24, 25"))),
                List.of("the server does not send intermediate 'CN=Zip Issuing CA 2'"))).isEqualTo(zip);
    }

    @Test
    void subjectsAreDataInNamesAndInTheReadme() throws Exception {
        Map<String, byte[]> files = unzip(CertificateFiles.zip("g", 1,
                List.of(new CertificateFiles.Entry(ODD.cert(), "root", List.of())), List.of()));
        assertThat(files.keySet()).allSatisfy(name -> assertThat(name).matches("[A-Za-z0-9._-]+"));
        String readme = new String(files.get("README.txt"), StandardCharsets.UTF_8);
        assertThat(readme).doesNotContain("\nreason: forged");
    }

    @Test
    void estIsBase64CertsOnlyPkcs7ThatOpensslReads() throws Exception {
        byte[] est = CertificateFiles.est(List.of(ROOT.cert(), ISSUING.cert()));
        String text = new String(est, StandardCharsets.US_ASCII);
        assertThat(text).matches("(?s)[A-Za-z0-9+/=\r\n]+");
        assertThat(text.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(76));
        String decoded = openssl(est, "base64", "-d");
        assertThat(decoded).isNotEmpty();
        Path der = dir.resolve("cacerts.p7");
        Files.write(der, opensslBytes(est, "base64", "-d"));
        String certs = openssl(null, "pkcs7", "-inform", "DER", "-in", der.toString(), "-print_certs", "-noout");
        assertThat(certs).contains("Zip Root CA").contains("Zip Issuing CA 2");
    }

    @Test
    void theDocumentationShowsTheSameSnippetAsTheReadme() throws Exception {
        assertThat(Files.readString(Path.of("..", "docs", "consoles.md"), StandardCharsets.UTF_8))
                .contains(UserStoreCaveat.NETWORK_SECURITY_CONFIG);
    }

    public static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip), StandardCharsets.UTF_8)) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                files.put(e.getName(), in.readAllBytes());
            }
        }
        return files;
    }

    static String openssl(byte[] stdin, String... args) throws Exception {
        return new String(opensslBytes(stdin, args), StandardCharsets.UTF_8);
    }

    static byte[] opensslBytes(byte[] stdin, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin);
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).as("openssl " + String.join(" ", args)).isZero();
        return out;
    }
}
