package org.trustfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.trustfleet.pki.ConscryptOracle;
import org.trustfleet.pki.Sha256;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.scan.StartTlsProtocol;
import org.trustfleet.scan.StartTlsTestServer;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.truststore.PlatformStore;

/**
 * The {@code check} command in process, with stores made for the test: what the packaged-jar IT cannot set up (a
 * root that only newer Android versions ship, since the bundled roots' keys are not ours), cross-checked per level
 * with Conscrypt; plus option parsing and file naming.
 */
class CheckCommandTest {
    private static final String HOST = "check.test";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Cert oldRoot = TestPki.root("Check Old Root");
    private final Cert newRoot = TestPki.root("Check New Root");
    private final Cert intermediate = newRoot.issueIntermediate("Check New CA");
    private final Cert leaf = intermediate.issueLeaf(HOST);

    /** API 21-25; the new root ships from API 24 on, the old one everywhere. */
    private Map<Integer, List<X509Certificate>> stores() {
        Map<Integer, List<X509Certificate>> byLevel = new TreeMap<>();
        for (int level = 21; level <= 25; level++) {
            byLevel.put(level, level >= 24 ? List.of(oldRoot.cert(), newRoot.cert()) : List.of(oldRoot.cert()));
        }
        return byLevel;
    }

    private record Outcome(int code, String out, String err) {
    }

    private Outcome run(Map<Integer, List<X509Certificate>> byLevel, String... args) {
        List<PlatformStore> stores = new ArrayList<>();
        byLevel.forEach((level, certs) -> stores.add(new PlatformStore("api-" + level, "android", level,
                PlatformStore.StoreSource.BUNDLED, "test", certs,
                certs.stream().map(Sha256::of).collect(Collectors.toSet()))));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new CheckCommand(() -> stores, () -> new TreeSet<>(byLevel.keySet()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                false).execute(args);
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void rootPresentOnlyFromApi24IsNeededBelowAndAgreesWithConscrypt() throws Exception {
        List<X509Certificate> presented = TestPki.certs(leaf, intermediate);
        try (TestTlsServer server = TestTlsServer.tls(presented, leaf.keyPair().getPrivate())) {
            Outcome json = run(stores(), "127.0.0.1:" + server.port(), "--server-name", HOST, "--allow-private",
                    "--json");
            assertThat(json.code()).isEqualTo(CheckCommand.REJECTED);
            JsonNode doc = JSON.readTree(json.out());
            Map<Integer, List<X509Certificate>> stores = stores();
            for (JsonNode level : doc.get("perApiLevel")) {
                int api = level.get("apiLevel").asInt();
                boolean conscrypt = ConscryptOracle.accepts(presented, stores.get(api), HOST);
                assertThat(level.get("trusted").asBoolean()).as("API %d", api).isEqualTo(conscrypt);
                if (api < 24) {
                    assertThat(level.get("outcome").asText()).isEqualTo("FIXABLE");
                    assertThat(level.get("missing").get(0).asText()).isEqualTo(newRoot.sha256());
                    List<X509Certificate> withFix = new ArrayList<>(stores.get(api));
                    withFix.add(newRoot.cert());
                    assertThat(ConscryptOracle.accepts(presented, withFix, HOST)).isTrue();
                } else {
                    assertThat(level.get("outcome").asText()).isEqualTo("TRUSTED");
                }
            }
            assertThat(doc.get("perApiLevel")).hasSize(5);

            Outcome text = run(stores(), "127.0.0.1:" + server.port(), "--server-name", HOST, "--allow-private");
            assertThat(text.out())
                    .contains("Android 5.0 (API 21)  trusted once the device holds "
                            + "'CN=Check New Root,O=Trustfleet Test'")
                    .contains("Android 7.0 (API 24)  trusted as presented")
                    .contains("Android 5.0–6.0 (API 21–23) need 'CN=Check New Root,O=Trustfleet Test'")
                    .doesNotContain("\u001b[");

            Outcome selected = run(stores(), "127.0.0.1:" + server.port(), "--server-name", HOST,
                    "--allow-private", "--api", "24-25");
            assertThat(selected.code()).as("only levels that accept are selected").isEqualTo(CheckCommand.ACCEPTED);
            assertThat(selected.out()).contains("certificates are not the cause of a sign-in failure")
                    .doesNotContain("API 23");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = StartTlsProtocol.class, names = {"SMTP", "IMAP", "POP3"})
    void protocolRunsStartTlsFirstAndJudgesLikePlainTls(StartTlsProtocol protocol) throws Exception {
        List<X509Certificate> presented = TestPki.certs(leaf, intermediate);
        Outcome plain;
        try (TestTlsServer server = TestTlsServer.tls(presented, leaf.keyPair().getPrivate())) {
            plain = run(stores(), "127.0.0.1:" + server.port(), "--server-name", HOST, "--allow-private", "--json");
        }
        try (StartTlsTestServer server = StartTlsTestServer.start(protocol, StartTlsTestServer.Behaviour.OFFERS,
                presented, leaf.keyPair().getPrivate())) {
            Outcome mail = run(stores(), "127.0.0.1:" + server.port(), "--server-name", HOST, "--allow-private",
                    "--json", "--protocol", protocol.wireName());
            assertThat(mail.code()).as(mail.err()).isEqualTo(plain.code()).isEqualTo(CheckCommand.REJECTED);
            assertThat(JSON.readTree(mail.out()).get("perApiLevel"))
                    .isEqualTo(JSON.readTree(plain.out()).get("perApiLevel"));
            assertThat(JSON.readTree(mail.out()).get("findings"))
                    .isEqualTo(JSON.readTree(plain.out()).get("findings"));
        }
        try (StartTlsTestServer server = StartTlsTestServer.start(protocol, StartTlsTestServer.Behaviour.NOT_OFFERED,
                presented, leaf.keyPair().getPrivate())) {
            Outcome refused = run(stores(), "127.0.0.1:" + server.port(), "--server-name", HOST, "--allow-private",
                    "--protocol", protocol.wireName());
            assertThat(refused.code()).isEqualTo(2);
            assertThat(refused.err()).contains("STARTTLS_REFUSED").contains(protocol.label() + " STARTTLS failed")
                    .doesNotContain("evil");
        }
    }

    @Test
    void protocolOptionIsChecked() throws Exception {
        assertThat(CheckOptions.parse("mail.example:587", "--protocol", "smtp-starttls").protocol())
                .isEqualTo(StartTlsProtocol.SMTP);
        assertThat(CheckOptions.parse("mail.example:993").protocol()).isEqualTo(StartTlsProtocol.TLS);
        assertThatThrownBy(() -> CheckOptions.parse("mail.example", "--protocol", "smtps"))
                .hasMessageContaining("--protocol must be one of");
        assertThatThrownBy(() -> CheckOptions.parse("--chain", "c.pem", "--protocol", "imap-starttls"))
                .hasMessageContaining("--protocol is for an endpoint");
    }

    @Test
    void optionsAreCheckedBeforeAnythingRuns() {
        assertThatThrownBy(() -> CheckOptions.parse()).hasMessageContaining("missing HOST");
        assertThatThrownBy(() -> CheckOptions.parse("a.example", "--api", "28-21")).hasMessageContaining("--api");
        assertThatThrownBy(() -> CheckOptions.parse("a.example:0")).hasMessageContaining("bad port");
        assertThatThrownBy(() -> CheckOptions.parse("a.example", "--at", "yesterday")).hasMessageContaining("--at");
        assertThatThrownBy(() -> CheckOptions.parse("a.example", "--frobnicate")).hasMessageContaining("unknown");
        assertThatThrownBy(() -> CheckOptions.parse("a.example", "--chain", "x.pem")).hasMessageContaining("not both");
        assertThatThrownBy(() -> CheckOptions.parse("a.example", "--server-name"))
                .hasMessageContaining("needs a value");
    }

    @Test
    void parsesEndpointsAndValues() throws Exception {
        CheckOptions v6 = CheckOptions.parse("[::1]:8443", "--api=24", "--at", "2027-01-31");
        assertThat(v6.host()).isEqualTo("::1");
        assertThat(v6.port()).isEqualTo(8443);
        assertThat(v6.minApi()).isEqualTo(24);
        assertThat(v6.maxApi()).isEqualTo(24);
        assertThat(v6.at()).hasToString("2027-01-31T00:00:00Z");
        CheckOptions plain = CheckOptions.parse("sts.contoso.example");
        assertThat(plain.port()).isEqualTo(443);
        assertThat(plain.verifiedName()).contains("sts.contoso.example");
        assertThat(CheckOptions.parse("--chain", "c.p7b").verifiedName()).isEmpty();
    }

    @Test
    void fileNamesFromSubjectsAreSafe() {
        Cert hostile = TestPki.rootBuilder("../../etc/passwd\u001b[31m x").build();
        String name = CertificateFiles.baseName(hostile.cert());
        assertThat(name).matches("[A-Za-z0-9][A-Za-z0-9._-]*_[0-9a-f]{16}").doesNotContain("..").doesNotContain("/");
        assertThat(Text.safe("CN=a\u001b[2J\u202Eb\n")).isEqualTo("CN=a?[2J?b?");
    }

    @Test
    void chainFileWithRootFirstIsReadLeafFirst() {
        List<X509Certificate> exported = TestPki.certs(newRoot, intermediate, leaf);
        assertThat(CheckCommand.leafFirst(exported)).containsExactly(leaf.cert(), newRoot.cert(), intermediate.cert());
        assertThat(Set.copyOf(CheckCommand.leafFirst(TestPki.certs(leaf, intermediate))))
                .containsExactlyInAnyOrder(leaf.cert(), intermediate.cert());
    }
}
