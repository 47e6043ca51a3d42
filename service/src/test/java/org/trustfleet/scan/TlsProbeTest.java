package org.trustfleet.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;

/** Probes real in-process TLS servers on 127.0.0.1 and checks that chains are captured verbatim and failures classified. */
class TlsProbeTest {

    private static final Map<String, String> LOOPBACK_PROPERTIES = Map.of(
            "allow-private-addresses", "true",
            "connect-timeout", "2s",
            "handshake-timeout", "5s");
    private static final ScannerSettings LOOPBACK = ScannerTestSettings.with(LOOPBACK_PROPERTIES);

    private static Pki pki;

    /** A root, an intermediate and a leaf for sts.contoso.test (with an AIA URL nobody serves). */
    private record Pki(TestPki.Cert root, TestPki.Cert intermediate, TestPki.Cert leaf) {
        List<X509Certificate> fullChain() {
            return TestPki.certs(leaf, intermediate, root);
        }

        PrivateKey leafKey() {
            return leaf.keyPair().getPrivate();
        }
    }

    @BeforeAll
    static void certs() {
        TestPki.Cert root = TestPki.root("Test Root sts.contoso.test");
        TestPki.Cert intermediate = root.issueIntermediate("Test Intermediate sts.contoso.test");
        pki = new Pki(root, intermediate,
                intermediate.leaf("sts.contoso.test").aia("http://aia.contoso.test/int.crt").build());
    }

    /** Leaf first, then {@code length - 1} CAs each issuing the previous one; the last is a self-signed root. */
    private static List<TestPki.Cert> longChain(int length) {
        List<TestPki.Cert> rootFirst = new ArrayList<>();
        rootFirst.add(TestPki.root("Long Chain CA 0"));
        for (int i = 1; i < length - 1; i++) {
            rootFirst.add(rootFirst.get(i - 1).issueIntermediate("Long Chain CA " + i));
        }
        rootFirst.add(rootFirst.get(rootFirst.size() - 1).issueLeaf("long.test"));
        List<TestPki.Cert> leafFirst = new ArrayList<>(rootFirst);
        Collections.reverse(leafFirst);
        return leafFirst;
    }

    private final TlsProbe probe = new TlsProbe(LOOPBACK);

    @Test
    void capturesCompleteChainInOrderWithVersionAndCipher() throws Exception {
        try (TestTlsServer server = TestTlsServer.tls(pki.fullChain(), pki.leafKey())) {
            ProbeResult r = probe.probe(ProbeTarget.of("127.0.0.1", server.port(), "sts.contoso.test"));

            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.OK);
            assertThat(r.chain()).containsExactlyElementsOf(pki.fullChain());
            assertThat(r.chainDer()).hasSize(3);
            assertThat(r.chainDer().get(0)).isEqualTo(CertificateEncoder.der(pki.leaf().cert()));
            assertThat(r.tlsVersion()).isEqualTo("TLSv1.3");
            assertThat(r.cipherSuite()).startsWith("TLS_");
            assertThat(r.address().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(r.sniSent()).isEqualTo("sts.contoso.test");
            assertThat(r.errorDetail()).isNull();
            assertThat(server.requestedSni()).contains("sts.contoso.test");
        }
    }

    @Test
    void capturesLeafOnlyChain() throws Exception {
        try (TestTlsServer server = TestTlsServer.tls(List.of(pki.leaf().cert()), pki.leafKey())) {
            ProbeResult r = probe.probe(ProbeTarget.of("127.0.0.1", server.port()));

            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.OK);
            assertThat(r.chain()).containsExactly(pki.leaf().cert());
        }
    }

    @Test
    void keepsWrongOrderAsPresented() throws Exception {
        List<X509Certificate> wrongOrder = List.of(pki.leaf().cert(), pki.root().cert(), pki.intermediate().cert());
        try (TestTlsServer server = TestTlsServer.tls(wrongOrder, pki.leafKey())) {
            ProbeResult r = probe.probe(ProbeTarget.of("127.0.0.1", server.port()));

            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.OK);
            assertThat(r.chain()).containsExactlyElementsOf(wrongOrder);
        }
    }

    @Test
    void capturesHundredCertificateChain() throws Exception {
        List<TestPki.Cert> longChain = longChain(100);
        List<X509Certificate> chain = longChain.stream().map(TestPki.Cert::cert).toList();
        try (TestTlsServer server = TestTlsServer.tls(chain, longChain.get(0).keyPair().getPrivate())) {
            ProbeResult r = probe.probe(ProbeTarget.of("127.0.0.1", server.port()));

            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.OK);
            assertThat(r.chain()).hasSize(100).containsExactlyElementsOf(chain);
        }
    }

    @Test
    void tls12IsNegotiatedWhenServerOffersOnlyTls12() throws Exception {
        // The probe must not be limited to TLS 1.3; a TLS 1.2-only server still yields its chain.
        try (TestTlsServer server = TestTlsServer.tls(pki.fullChain(), pki.leafKey(), "TLSv1.2")) {
            ProbeResult r = probe.probe(ProbeTarget.of("127.0.0.1", server.port()));
            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.OK);
            assertThat(r.chain()).containsExactlyElementsOf(pki.fullChain());
            assertThat(r.tlsVersion()).isEqualTo("TLSv1.2");
            assertThat(r.cipherSuite()).contains("ECDHE_ECDSA");
        }
    }

    @Test
    void refusedPortIsConnectRefused() throws Exception {
        int port = TestTlsServer.closedPort();
        ProbeResult r = probe.probe(ProbeTarget.of("127.0.0.1", port));

        assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.CONNECT_REFUSED);
        assertThat(r.errorDetail()).contains("refused").doesNotContain("Exception").doesNotContain("\n");
        assertThat(r.chain()).isEmpty();
    }

    @Test
    void silentServerCostsOneHandshakeTimeout() throws Exception {
        TlsProbe quick = new TlsProbe(ScannerTestSettings.with(
                overriding(LOOPBACK_PROPERTIES, "handshake-timeout", "500ms")));
        try (TestTlsServer server = TestTlsServer.silent()) {
            long start = System.nanoTime();
            ProbeResult r = quick.probe(ProbeTarget.of("127.0.0.1", server.port(), "sts.contoso.test"));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;

            // Documented choice: TCP connected, so a stalled handshake is HANDSHAKE_FAILED, not CONNECT_TIMEOUT.
            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.HANDSHAKE_FAILED);
            assertThat(r.errorDetail()).contains("handshake timed out");
            // at least the timeout; the silent server never answers, so returning at all is the timeout's doing
            assertThat(elapsedMs).isBetween(450L, 60_000L);
            assertThat(server.connections()).isEqualTo(1);
        }
    }

    @Test
    void bothProbesOfASilentServerCostOneHandshakeTimeout() throws Exception {
        // the check command probes with and without SNI: a server that accepts and never answers is asked once
        TlsProbe quick = new TlsProbe(ScannerTestSettings.with(
                overriding(LOOPBACK_PROPERTIES, "handshake-timeout", "500ms")));
        try (TestTlsServer server = TestTlsServer.silent()) {
            ProbePair pair = quick.probeBoth(ProbeTarget.of("127.0.0.1", server.port(), "sts.contoso.test"));

            assertThat(pair.withSni().status()).isEqualTo(ProbeStatus.HANDSHAKE_FAILED);
            assertThat(pair.withoutSni().status()).isEqualTo(ProbeStatus.HANDSHAKE_FAILED);
            assertThat(pair.sniRequired()).isFalse();
            assertThat(server.connections()).isEqualTo(1);
        }
    }

    @Test
    void plainTextServerIsHandshakeFailed() throws Exception {
        try (TestTlsServer server = TestTlsServer.plaintext()) {
            ProbeResult r = probe.probe(ProbeTarget.of("127.0.0.1", server.port()));

            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.HANDSHAKE_FAILED);
            assertThat(r.errorDetail()).contains("did not answer with TLS");
            assertThat(r.chain()).isEmpty();
        }
    }

    @Test
    void sniOnlyServerFailsWithoutSni() throws Exception {
        try (TestTlsServer server = TestTlsServer.sniDependent("sts.contoso.test", pki.fullChain(),
                pki.leafKey(), null, null)) {
            ProbePair pair = probe.probeBoth(ProbeTarget.of("127.0.0.1", server.port(), "sts.contoso.test"));

            assertThat(pair.withSni().status()).as(pair.withSni().toString()).isEqualTo(ProbeStatus.OK);
            assertThat(pair.withSni().chain()).containsExactlyElementsOf(pki.fullChain());
            assertThat(pair.withoutSni().status()).as(pair.withoutSni().toString())
                    .isEqualTo(ProbeStatus.HANDSHAKE_FAILED);
            assertThat(pair.withoutSni().sniSent()).isNull();
            assertThat(pair.withoutSni().errorDetail()).contains("No SNI was sent");
            assertThat(pair.sniRequired()).isTrue();
            assertThat(server.requestedSni()).contains("sts.contoso.test", "<none>");
        }
    }

    @Test
    void sniDependentServerPresentsDifferentChainWithoutSni() throws Exception {
        TestPki.Cert fallback = TestPki.root("fallback.contoso.test");
        try (TestTlsServer server = TestTlsServer.sniDependent("sts.contoso.test", pki.fullChain(),
                pki.leafKey(), List.of(fallback.cert()), fallback.keyPair().getPrivate())) {
            ProbePair pair = probe.probeBoth(ProbeTarget.of("localhost", server.port(), "sts.contoso.test"));

            assertThat(pair.withSni().chain()).containsExactlyElementsOf(pki.fullChain());
            assertThat(pair.withoutSni().status()).isEqualTo(ProbeStatus.OK);
            assertThat(pair.withoutSni().chain()).containsExactly(fallback.cert());
            assertThat(pair.chainsDiffer()).isTrue();
            assertThat(pair.sniRequired()).isTrue();
        }
    }

    @Test
    void sniIndependentServerIsNotSniRequired() throws Exception {
        try (TestTlsServer server = TestTlsServer.tls(pki.fullChain(), pki.leafKey())) {
            ProbePair pair = probe.probeBoth(ProbeTarget.of("127.0.0.1", server.port(), "sts.contoso.test"));

            assertThat(pair.withSni().isOk()).isTrue();
            assertThat(pair.withoutSni().isOk()).isTrue();
            assertThat(pair.chainsDiffer()).isFalse();
            assertThat(pair.sniRequired()).isFalse();
        }
    }

    @Test
    void ipLiteralWithoutServerNameSendsNoSni() throws Exception {
        try (TestTlsServer server = TestTlsServer.tls(pki.fullChain(), pki.leafKey())) {
            ProbePair pair = probe.probeBoth(ProbeTarget.of("127.0.0.1", server.port()));

            assertThat(pair.withSni().sniSent()).isNull();
            assertThat(pair.sniAvailable()).isFalse();
            assertThat(pair.withoutSni()).isSameAs(pair.withSni());
            assertThat(server.requestedSni()).containsOnly("<none>");
            assertThat(server.connections()).isEqualTo(1);
        }
    }

    @Test
    void hostNameIsSentAsSniWhenNoServerName() throws Exception {
        try (TestTlsServer server = TestTlsServer.tls(pki.fullChain(), pki.leafKey())) {
            ProbeResult r = probe.probe(ProbeTarget.of("localhost", server.port()));

            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.OK);
            assertThat(r.sniSent()).isEqualTo("localhost");
            assertThat(r.address().isLoopbackAddress()).isTrue();
        }
    }

    @Test
    void invalidTldIsDnsFailureWithoutAConnectionAttempt() {
        ProbeResult r = probe.probe(ProbeTarget.of("sts.does-not-exist.invalid", 443));

        assertThat(r.status()).isEqualTo(ProbeStatus.DNS_FAILURE);
        assertThat(r.address()).as("no address, so nothing was connected to").isNull();
        assertThat(r.errorDetail()).contains("could not be resolved");
    }

    @Test
    void loopbackIsBlockedWithoutAnyConnection() throws Exception {
        TlsProbe production = new TlsProbe(ScannerTestSettings.with(
                overriding(LOOPBACK_PROPERTIES, "allow-private-addresses", "false")));
        try (TestTlsServer server = TestTlsServer.tls(pki.fullChain(), pki.leafKey())) {
            ProbeResult byLiteral = production.probe(ProbeTarget.of("127.0.0.1", server.port()));
            ProbeResult byName = production.probe(ProbeTarget.of("localhost", server.port()));
            ProbeResult mapped = production.probe(ProbeTarget.of("::ffff:127.0.0.1", server.port()));
            Thread.sleep(200);

            assertThat(byLiteral.status()).isEqualTo(ProbeStatus.BLOCKED_ADDRESS);
            assertThat(byLiteral.address().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(byLiteral.errorDetail()).contains("loopback");
            assertThat(byName.status()).isEqualTo(ProbeStatus.BLOCKED_ADDRESS);
            assertThat(mapped.status()).isEqualTo(ProbeStatus.BLOCKED_ADDRESS);
            assertThat(server.connections()).isZero();
        }
    }

    @Test
    void probeNeverThrowsOnOddServerNames() throws Exception {
        try (TestTlsServer server = TestTlsServer.tls(pki.fullChain(), pki.leafKey())) {
            // '_' is legal in DNS but refused by the JDK for SNI: the probe goes on without SNI.
            ProbeResult r = probe.probe(ProbeTarget.of("127.0.0.1", server.port(), "odd_name.contoso.test"));
            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.OK);
        }
    }

    private static Map<String, String> overriding(Map<String, String> base, String key, String value) {
        Map<String, String> m = new HashMap<>(base);
        m.put(key, value);
        return m;
    }
}
