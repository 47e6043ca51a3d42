package org.trustfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.CertificateParser;
import org.trustfleet.pki.ConscryptOracle;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.StaticHttpServer;

/**
 * {@code check} run as people run it: the packaged jar as a separate process against in-process TLS servers on
 * loopback, asserting the exit code, the {@code --json} document (per-level verdicts cross-checked with Conscrypt)
 * and the key sentences of the text report. Certificates chain to a generated root given with {@code --trust}; the
 * bundled stores' per-level differences are covered in process by {@link CheckCommandTest}.
 */
class CheckCommandIT {
    private static final String HOST = "check.test";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Cert ROOT = TestPki.root("Check IT Root");
    private static final Cert INTERMEDIATE = ROOT.issueIntermediate("Check IT CA");

    private static StaticHttpServer aia;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws IOException {
        aia = StaticHttpServer.start();
        Files.writeString(dir.resolve("root.pem"), CertificateEncoder.toPem(List.of(ROOT.cert())),
                StandardCharsets.UTF_8);
    }

    @AfterAll
    static void stop() {
        aia.close();
    }

    private record Run(int code, String out, String err) {
        JsonNode json() throws IOException {
            return JSON.readTree(out);
        }
    }

    private static Run check(String... args) throws Exception {
        String jar = System.getProperty("trustfleet.test.app-jar", "target/quarkus-app/quarkus-run.jar");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Dtrustfleet.scanner.handshake-timeout=15s",
                // loopback servers answer at once; these bounds only have to survive a machine busy with other builds
                "-Dtrustfleet.scanner.aia-timeout=30s", "-Dtrustfleet.scanner.aia.scan-deadline=60s", "-jar", jar,
                "check"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .start();
        assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("check finished").isTrue();
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static String[] online(int port, String... more) {
        return Stream.concat(Stream.of("127.0.0.1:" + port, "--server-name", HOST, "--allow-private", "--trust",
                dir.resolve("root.pem").toString()), Stream.of(more)).toArray(String[]::new);
    }

    /** Every level's verdict equals Conscrypt's for the presented chain and the --trust root. */
    private static void agreesWithConscrypt(JsonNode doc, List<X509Certificate> presented, String host) {
        boolean conscrypt = ConscryptOracle.accepts(presented, List.of(ROOT.cert()), host);
        assertThat(doc.get("perApiLevel")).isNotEmpty();
        for (JsonNode level : doc.get("perApiLevel")) {
            assertThat(level.get("trusted").asBoolean()).as("API %s", level.get("apiLevel")).isEqualTo(conscrypt);
        }
    }

    private static List<String> codes(JsonNode doc) {
        List<String> codes = new ArrayList<>();
        doc.get("findings").forEach(f -> codes.add(f.get("code").asText()));
        return codes;
    }

    @Test
    void completeChainIsAcceptedEverywhere() throws Exception {
        Cert leaf = INTERMEDIATE.issueLeaf(HOST);
        List<X509Certificate> presented = TestPki.certs(leaf, INTERMEDIATE);
        try (TestTlsServer server = TestTlsServer.tls(presented, leaf.keyPair().getPrivate())) {
            Run json = check(online(server.port(), "--json"));
            assertThat(json.code()).isZero();
            agreesWithConscrypt(json.json(), presented, HOST);
            assertThat(json.json().get("allAccept").asBoolean()).isTrue();
            assertThat(json.json().get("completedPath")).hasSize(3);

            Run text = check(online(server.port()));
            assertThat(text.code()).isZero();
            assertThat(text.out()).contains("Android 7.0 (API 24)").contains("trusted as presented")
                    .contains("certificates are not the cause of a sign-in failure on this endpoint")
                    .doesNotContain("\u001b[");
        }
    }

    @Test
    void privateRootWithoutTrustNeedsTheDeviceToHoldThePrivateCa() throws Exception {
        Cert leaf = INTERMEDIATE.issueLeaf(HOST);
        List<X509Certificate> presented = TestPki.certs(leaf, INTERMEDIATE);
        try (TestTlsServer server = TestTlsServer.tls(presented, leaf.keyPair().getPrivate())) {
            // the bundled Android stores: no stock device knows the private hierarchy
            Run run = check("127.0.0.1:" + server.port(), "--server-name", HOST, "--allow-private", "--json");
            assertThat(run.code()).isEqualTo(1);
            for (JsonNode level : run.json().get("perApiLevel")) {
                assertThat(level.get("trusted").asBoolean()).isFalse();
                // the root was never seen: the presented private CA is what a device can be given
                assertThat(level.get("outcome").asText()).isEqualTo("FIXABLE");
                assertThat(level.get("missing").get(0).asText()).isEqualTo(INTERMEDIATE.sha256());
            }
            assertThat(ConscryptOracle.accepts(presented, List.of(INTERMEDIATE.cert()), HOST)).isTrue();
            assertThat(codes(run.json())).contains("MISSING_INTERMEDIATE");
        }
    }

    @Test
    void missingIntermediateWithoutAiaCannotBeFixedOnTheDevice() throws Exception {
        Cert leaf = INTERMEDIATE.issueLeaf(HOST);
        List<X509Certificate> presented = TestPki.certs(leaf);
        try (TestTlsServer server = TestTlsServer.tls(presented, leaf.keyPair().getPrivate())) {
            Run run = check(online(server.port(), "--json"));
            assertThat(run.code()).isEqualTo(1);
            agreesWithConscrypt(run.json(), presented, HOST);
            assertThat(codes(run.json())).contains("MISSING_INTERMEDIATE", "AIA_UNAVAILABLE");
            assertThat(run.json().get("perApiLevel").get(0).get("blocker").asText()).isEqualTo("NO_PATH");
        }
    }

    @Test
    void missingIntermediateFetchedByAiaIsNamedWrittenAndFixedOnTheServer() throws Exception {
        Cert intermediate = ROOT.issueIntermediate("Check IT AIA CA");
        String url = aia.serve("/ca.cer", intermediate.cert().getEncoded());
        Cert leaf = intermediate.leaf(HOST).aia(url).build();
        List<X509Certificate> presented = TestPki.certs(leaf);
        Path out = dir.resolve("needed");
        Path serverChain = dir.resolve("server-chain.pem");
        try (TestTlsServer server = TestTlsServer.tls(presented, leaf.keyPair().getPrivate())) {
            Run run = check(online(server.port(), "--json", "--out", out.toString(), "--server-chain",
                    serverChain.toString()));
            assertThat(run.code()).isEqualTo(1);
            JsonNode doc = run.json();
            agreesWithConscrypt(doc, presented, HOST);
            assertThat(codes(doc)).contains("MISSING_INTERMEDIATE", "AIA_FETCHED");
            for (JsonNode level : doc.get("perApiLevel")) {
                assertThat(level.get("outcome").asText()).isEqualTo("FIXABLE");
                assertThat(level.get("missing").get(0).asText()).isEqualTo(intermediate.sha256());
            }
            // the device-side fix, proven with Conscrypt: holding the intermediate makes the chain validate
            assertThat(ConscryptOracle.accepts(presented, List.of(ROOT.cert(), intermediate.cert()), HOST)).isTrue();
            String base = "Check_IT_AIA_CA_" + intermediate.sha256().substring(0, 16);
            assertThat(CertificateParser.parse(Files.readAllBytes(out.resolve(base + ".pem"))))
                    .containsExactly(intermediate.cert());
            assertThat(CertificateParser.parse(Files.readAllBytes(out.resolve(base + ".cer"))))
                    .containsExactly(intermediate.cert());
            // the server-side fix: leaf then intermediate, accepted everywhere (Conscrypt agrees)
            List<X509Certificate> proposed = CertificateParser.parse(Files.readAllBytes(serverChain));
            assertThat(proposed).containsExactly(leaf.cert(), intermediate.cert());
            assertThat(ConscryptOracle.accepts(proposed, List.of(ROOT.cert()), HOST)).isTrue();
            JsonNode fix = doc.get("serverFix");
            assertThat(fix.get("levelsNotFixed")).isEmpty();
            fix.get("perApiLevel").forEach(l -> assertThat(l.get("trusted").asBoolean()).isTrue());

            Run text = check(online(server.port(), "--server-chain", serverChain.toString()));
            assertThat(text.code()).isEqualTo(1);
            assertThat(text.out())
                    .contains("The server does not send its intermediate 'CN=Check IT AIA CA,O=Trustfleet Test'; "
                            + "configure the server (or the load balancer in front of it) to send it")
                    .contains("trusted once the device holds 'CN=Check IT AIA CA,O=Trustfleet Test'")
                    .contains("today: rejected  with this chain: trusted");
            assertThat(text.out().indexOf("What to fix on the server"))
                    .isLessThan(text.out().indexOf("What a device would need"));
        }
    }

    @Test
    void expiredIntermediateIsNotFixableOnTheDevice() throws Exception {
        Cert expired = ROOT.intermediate("Check IT Expired CA").expired().build();
        Cert leaf = expired.issueLeaf(HOST);
        List<X509Certificate> presented = TestPki.certs(leaf, expired);
        try (TestTlsServer server = TestTlsServer.tls(presented, leaf.keyPair().getPrivate())) {
            Run run = check(online(server.port(), "--json"));
            assertThat(run.code()).isEqualTo(1);
            agreesWithConscrypt(run.json(), presented, HOST);
            assertThat(run.json().get("perApiLevel").get(0).get("blocker").asText()).isEqualTo("EXPIRED_CHAIN");
            assertThat(codes(run.json())).contains("EXPIRED");
        }
    }

    @Test
    void hostnameMismatchIsNotFixableOnTheDevice() throws Exception {
        Cert leaf = INTERMEDIATE.issueLeaf("other.test");
        List<X509Certificate> presented = TestPki.certs(leaf, INTERMEDIATE);
        try (TestTlsServer server = TestTlsServer.tls(presented, leaf.keyPair().getPrivate())) {
            Run run = check(online(server.port(), "--json"));
            assertThat(run.code()).isEqualTo(1);
            agreesWithConscrypt(run.json(), presented, HOST);
            assertThat(run.json().get("perApiLevel").get(0).get("blocker").asText()).isEqualTo("HOSTNAME_MISMATCH");
            Run text = check(online(server.port()));
            assertThat(text.out())
                    .contains("not fixable on the device: the server's certificate is not valid for this name")
                    .contains("is not valid for 'check.test'");
        }
    }

    @Test
    void sniOnlyServerIsJudgedWithSniAndReported() throws Exception {
        Cert leaf = INTERMEDIATE.issueLeaf(HOST);
        List<X509Certificate> presented = TestPki.certs(leaf, INTERMEDIATE);
        try (TestTlsServer server = TestTlsServer.sniDependent(HOST, presented, leaf.keyPair().getPrivate(), null,
                null)) {
            Run run = check(online(server.port(), "--json"));
            assertThat(run.code()).isZero();
            agreesWithConscrypt(run.json(), presented, HOST);
            assertThat(codes(run.json())).contains("SNI_REQUIRED");
            assertThat(run.json().get("sniSent").asText()).isEqualTo(HOST);
        }
    }

    @Test
    void unreachableEndpointsExitTwoWithOneLine() throws Exception {
        Run refused = check(online(TestTlsServer.closedPort()));
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err().strip()).doesNotContain("\n").contains("CONNECT_REFUSED").contains("refused");

        try (TestTlsServer silent = TestTlsServer.silent()) {
            Run timeout = check(online(silent.port()));
            assertThat(timeout.code()).isEqualTo(2);
            assertThat(timeout.err().strip()).doesNotContain("\n").contains("timed out");
        }

        Run blocked = check("127.0.0.1:" + TestTlsServer.closedPort());
        assertThat(blocked.code()).isEqualTo(2);
        assertThat(blocked.err().strip()).doesNotContain("\n").contains("--allow-private");
    }

    @Test
    void chainFilesInPemDerAndPkcs7() throws Exception {
        Cert leaf = INTERMEDIATE.issueLeaf(HOST);
        Path pem = dir.resolve("chain.pem");
        Files.writeString(pem, CertificateEncoder.toPem(TestPki.certs(leaf, INTERMEDIATE)), StandardCharsets.UTF_8);
        Path der = dir.resolve("leaf.cer");
        Files.write(der, leaf.cert().getEncoded());
        Path p7b = dir.resolve("chain.p7b");
        // root first, as Windows' "Copy to File" may export it
        Files.write(p7b, CertificateEncoder.toPkcs7Der(TestPki.certs(ROOT, INTERMEDIATE, leaf)));
        String trust = dir.resolve("root.pem").toString();

        Run fromPem = check("--chain", pem.toString(), "--trust", trust, "--server-name", HOST, "--json");
        assertThat(fromPem.code()).isZero();
        agreesWithConscrypt(fromPem.json(), TestPki.certs(leaf, INTERMEDIATE), HOST);

        Run fromDer = check("--chain", der.toString(), "--trust", trust, "--server-name", HOST);
        assertThat(fromDer.code()).isEqualTo(1);
        assertThat(fromDer.out()).contains("not fixable on the device: no known certificate completes the chain")
                .contains("The server does not send the issuer of 'CN=check.test,O=Trustfleet Test' "
                        + "('CN=Check IT CA,O=Trustfleet Test')");

        Run fromP7b = check("--chain", p7b.toString(), "--trust", trust, "--at", "2030-01-01", "--json");
        assertThat(fromP7b.code()).isZero();
        assertThat(fromP7b.json().get("presented").get(0).get("sha256").asText()).isEqualTo(leaf.sha256());
        assertThat(codes(fromP7b.json())).contains("CONTAINS_ROOT");

        Run later = check("--chain", pem.toString(), "--trust", trust, "--at", "2099-01-01");
        assertThat(later.code()).as("the leaf has expired by then").isEqualTo(1);
        assertThat(later.out()).contains("expired");
    }

    @Test
    void badInputExitsTwoWithOneLine() throws Exception {
        Path garbage = dir.resolve("garbage.pem");
        Files.writeString(garbage, "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
                StandardCharsets.UTF_8);
        Run bad = check("--chain", garbage.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.out()).isEmpty();
        assertThat(bad.err().strip()).doesNotContain("\n").startsWith("check: --chain").contains("garbage.pem");

        Run missing = check("--chain", dir.resolve("nope.pem").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().strip()).doesNotContain("\n").contains("no such file");

        Run option = check("sts.example", "--api", "banana");
        assertThat(option.code()).isEqualTo(2);
        assertThat(option.err().strip()).doesNotContain("\n").contains("--api");
    }
}
