package org.trustfleet.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.TestPki;
import org.trustfleet.truststore.StoreSnapshot;
import org.trustfleet.truststore.TestStores;

/**
 * Endpoints behind SMTP, IMAP and POP3 STARTTLS against in-process mail servers: the probe captures the same chain as
 * over plain TLS and the scan judges it the same; a server that does not offer or refuses STARTTLS, or talks
 * nonsense, gives STARTTLS_REFUSED with a fixed sentence that never repeats the server's text.
 */
class StartTlsProbeTest {

    private static final ScannerSettings LOOPBACK = ScannerTestSettings.with(Map.of(
            "allow-private-addresses", "true",
            "connect-timeout", "2s",
            "handshake-timeout", "10s"));
    private static final String HOST = "mail.contoso.test";

    private static TestPki.Cert root;
    private static List<X509Certificate> served; // leaf and intermediate: the root must come from the store
    private static PrivateKey key;

    private final TlsProbe probe = new TlsProbe(LOOPBACK);

    @BeforeAll
    static void certs() {
        root = TestPki.root("Mail Root");
        TestPki.Cert intermediate = root.issueIntermediate("Mail Issuing CA");
        TestPki.Cert leaf = intermediate.issueLeaf(HOST);
        served = TestPki.certs(leaf, intermediate);
        key = leaf.keyPair().getPrivate();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = StartTlsProtocol.class, names = {"SMTP", "IMAP", "POP3"})
    void afterStartTlsTheScanJudgesTheChainLikePlainTls(StartTlsProtocol protocol) throws Exception {
        // a store that trusts the root at one level and not at the other: two different verdicts to compare
        StoreSnapshot stores = TestStores.snapshot(Map.of(30, List.of(root.cert()),
                33, List.of(TestPki.root("Other Root").cert())));
        ChainJudge judge = new ChainJudge(Optional.empty());
        ProbeResult plain;
        try (TestTlsServer server = TestTlsServer.tls(served, key)) {
            plain = probe.probe(ProbeTarget.of("127.0.0.1", server.port(), HOST));
        }
        try (StartTlsTestServer server = StartTlsTestServer.start(protocol, StartTlsTestServer.Behaviour.OFFERS,
                served, key)) {
            ProbeResult mail = probe.probe(ProbeTarget.of("127.0.0.1", server.port(), HOST, protocol));

            assertThat(mail.status()).as(mail.toString()).isEqualTo(ProbeStatus.OK);
            assertThat(plain.status()).isEqualTo(ProbeStatus.OK);
            assertThat(mail.chain()).containsExactlyElementsOf(served).containsExactlyElementsOf(plain.chain());
            assertThat(server.commands().get(server.commands().size() - 1))
                    .isEqualTo(switch (protocol) {
                        case SMTP -> "STARTTLS";
                        case IMAP -> "a1 STARTTLS";
                        default -> "STLS";
                    });

            Instant now = Instant.now();
            ChainEvaluation viaMail = judge.evaluate(mail.chain(), HOST, stores, List.of(), s -> List.of(), now);
            ChainEvaluation viaTls = judge.evaluate(plain.chain(), HOST, stores, List.of(), s -> List.of(), now);
            assertThat(viaMail.perApiLevel()).isEqualTo(viaTls.perApiLevel());
            assertThat(viaMail.perApiLevel()).extracting(ApiLevelVerdict::trusted).containsExactly(true, false);
            assertThat(viaMail.findings()).extracting(Finding::code)
                    .containsExactlyElementsOf(viaTls.findings().stream().map(Finding::code).toList());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = StartTlsProtocol.class, names = {"SMTP", "IMAP", "POP3"})
    void aServerWithoutStartTlsIsStartTlsRefused(StartTlsProtocol protocol) throws Exception {
        for (StartTlsTestServer.Behaviour behaviour : List.of(StartTlsTestServer.Behaviour.NOT_OFFERED,
                StartTlsTestServer.Behaviour.REFUSES)) {
            try (StartTlsTestServer server = StartTlsTestServer.start(protocol, behaviour, served, key)) {
                ProbeResult r = probe.probe(ProbeTarget.of("127.0.0.1", server.port(), HOST, protocol));

                assertThat(r.status()).as(behaviour + ": " + r).isEqualTo(ProbeStatus.STARTTLS_REFUSED);
                assertThat(r.chain()).isEmpty();
                assertThat(r.errorDetail()).startsWith(protocol.label() + " STARTTLS failed: ")
                        .doesNotContain("evil").doesNotContain("\u001b");
                assertThat(server.handshakes()).isZero();
            }
        }
    }

    @Test
    void smtpSaysWhichStepFailed() throws Exception {
        try (StartTlsTestServer server = StartTlsTestServer.start(StartTlsProtocol.SMTP,
                StartTlsTestServer.Behaviour.NOT_OFFERED, served, key)) {
            ProbeResult r = probe.probe(ProbeTarget.of("127.0.0.1", server.port(), HOST, StartTlsProtocol.SMTP));
            assertThat(r.errorDetail()).contains("does not offer STARTTLS");
            assertThat(server.commands()).containsExactly("EHLO trustfleet.invalid");
        }
        try (StartTlsTestServer server = StartTlsTestServer.start(StartTlsProtocol.SMTP,
                StartTlsTestServer.Behaviour.REFUSES, served, key)) {
            ProbeResult r = probe.probe(ProbeTarget.of("127.0.0.1", server.port(), HOST, StartTlsProtocol.SMTP));
            assertThat(r.errorDetail()).contains("answered STARTTLS with reply code 454");
        }
    }

    @Test
    void aLineWithoutEndStopsAtTheLineBound() throws Exception {
        try (StartTlsTestServer server = StartTlsTestServer.start(StartTlsProtocol.IMAP,
                StartTlsTestServer.Behaviour.ENDLESS_LINE, served, key)) {
            ProbeResult r = probe.probe(ProbeTarget.of("127.0.0.1", server.port(), HOST, StartTlsProtocol.IMAP));
            assertThat(r.status()).isEqualTo(ProbeStatus.STARTTLS_REFUSED);
            assertThat(r.errorDetail()).contains("longer than " + StartTls.MAX_LINE_BYTES + " bytes");
        }
    }

    @Test
    void aPlainTlsServerIsNotAMailServer() throws Exception {
        // a TLS server answers STARTTLS's first read with nothing until the handshake timeout, or with TLS bytes:
        // either way a probe result, never an exception
        ScannerSettings quick = ScannerTestSettings.with(Map.of("allow-private-addresses", "true",
                "connect-timeout", "2s", "handshake-timeout", "1s"));
        try (TestTlsServer server = TestTlsServer.tls(served, key)) {
            ProbeResult r = new TlsProbe(quick).probe(ProbeTarget.of("127.0.0.1", server.port(), HOST,
                    StartTlsProtocol.POP3));
            assertThat(r.status()).isIn(ProbeStatus.HANDSHAKE_FAILED, ProbeStatus.STARTTLS_REFUSED);
            assertThat(r.chain()).isEmpty();
        }
    }

    @Test
    void wireNames() {
        assertThat(StartTlsProtocol.fromWire("SMTP-STARTTLS")).contains(StartTlsProtocol.SMTP);
        assertThat(StartTlsProtocol.fromWire("smtps")).isEmpty();
        assertThat(StartTlsProtocol.fromWireOrTls(null)).isEqualTo(StartTlsProtocol.TLS);
        assertThat(ProbeTarget.of("h.test", 25, null, null).protocol()).isEqualTo(StartTlsProtocol.TLS);
        assertThat(ProbeTarget.of("h.test", 587, null, StartTlsProtocol.SMTP)).hasToString("h.test:587 [smtp-starttls]");
    }
}
