package org.trustfleet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.KeyStore;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;

/** The device-side verdicts against in-process servers on loopback, with trust managers built in the test. */
class EndpointVerifierTest {

    static final TestCerts.Cert ROOT = TestCerts.root("Verifier Test Root");
    static final TestCerts.Cert INTERMEDIATE = ROOT.issueIntermediate("Verifier Test Issuing CA");
    static final TestCerts.Cert LEAF = INTERMEDIATE.issueLeaf("sts.verifier.test");
    static final TestCerts.Cert OTHER_ROOT = TestCerts.root("Some Other Root");

    static X509TrustManager trusting(TestCerts.Cert... anchors) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (TestCerts.Cert a : anchors) {
            ks.setCertificateEntry(a.sha256(), a.cert());
        }
        return EndpointVerifier.fromKeyStore(ks);
    }

    static PayloadEndpoint endpoint(int port, String serverName) {
        return new PayloadEndpoint(UUID.randomUUID(), "127.0.0.1", port, serverName, "tls");
    }

    @Test
    void completeChainToATrustedRootIsTrusted() throws Exception {
        try (TlsTestServer server = TlsTestServer.tls(LEAF, INTERMEDIATE.cert())) {
            PayloadEndpoint e = endpoint(server.port(), "sts.verifier.test");
            EndpointCheck c = new EndpointVerifier(trusting(ROOT), 5000).verify(e);
            assertThat(c.outcome()).isEqualTo(EndpointCheck.Outcome.TRUSTED);
            assertThat(c.endpointId()).isEqualTo(e.endpointId());
            assertThat(c.detail()).startsWith("TLSv1.");
            assertThat(c.chain()).isEmpty();
        }
    }

    @Test
    void missingIntermediateIsUntrustedWithTheReceivedChainAndTheValidatorsReason() throws Exception {
        try (TlsTestServer server = TlsTestServer.tls(LEAF)) {
            EndpointCheck c = new EndpointVerifier(trusting(ROOT), 5000)
                    .verify(endpoint(server.port(), "sts.verifier.test"));
            assertThat(c.outcome()).isEqualTo(EndpointCheck.Outcome.UNTRUSTED);
            assertThat(c.chain()).hasSize(1);
            assertThat(c.chain().get(0)).isEqualTo(LEAF.cert().getEncoded());
            assertThat(c.detail()).isNotBlank();
        }
    }

    @Test
    void chainToARootTheDeviceLacksIsUntrusted() throws Exception {
        try (TlsTestServer server = TlsTestServer.tls(LEAF, INTERMEDIATE.cert())) {
            EndpointCheck c = new EndpointVerifier(trusting(OTHER_ROOT), 5000)
                    .verify(endpoint(server.port(), "sts.verifier.test"));
            assertThat(c.outcome()).isEqualTo(EndpointCheck.Outcome.UNTRUSTED);
            assertThat(c.chain()).containsExactly(LEAF.cert().getEncoded(), INTERMEDIATE.cert().getEncoded());
            assertThat(c.toJson().getJSONArray("chain").length()).isEqualTo(2);
        }
    }

    @Test
    void nameTheCertificateDoesNotCoverIsUntrusted() throws Exception {
        try (TlsTestServer server = TlsTestServer.tls(LEAF, INTERMEDIATE.cert())) {
            EndpointCheck c = new EndpointVerifier(trusting(ROOT), 5000)
                    .verify(endpoint(server.port(), "login.elsewhere.test"));
            assertThat(c.outcome()).isEqualTo(EndpointCheck.Outcome.UNTRUSTED);
        }
    }

    @Test
    void refusedPortIsUnreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        EndpointCheck c = new EndpointVerifier(trusting(ROOT), 5000).verify(endpoint(port, "sts.verifier.test"));
        assertThat(c.outcome()).isEqualTo(EndpointCheck.Outcome.UNREACHABLE);
        assertThat(c.detail()).isEqualTo(EndpointCheck.DETAIL_REFUSED);
        assertThat(c.toJson().has("chain")).isFalse();
    }

    @Test
    void serverThatNeverAnswersTimesOut() throws Exception {
        try (TlsTestServer server = TlsTestServer.silent()) {
            EndpointCheck c = new EndpointVerifier(trusting(ROOT), 300)
                    .verify(endpoint(server.port(), "sts.verifier.test"));
            assertThat(c.outcome()).isEqualTo(EndpointCheck.Outcome.UNREACHABLE);
            assertThat(c.detail()).isEqualTo(EndpointCheck.DETAIL_TIMEOUT);
        }
    }

    @Test
    void serverThatDoesNotSpeakTlsIsATlsError() throws Exception {
        try (TlsTestServer server = TlsTestServer.notTls()) {
            EndpointCheck c = new EndpointVerifier(trusting(ROOT), 5000)
                    .verify(endpoint(server.port(), "sts.verifier.test"));
            assertThat(c.outcome()).isEqualTo(EndpointCheck.Outcome.UNREACHABLE);
            assertThat(c.detail()).isEqualTo(EndpointCheck.DETAIL_TLS_ERROR);
        }
    }

    @Test
    void unknownProtocolIsNotAttempted() throws Exception {
        PayloadEndpoint e = new PayloadEndpoint(UUID.randomUUID(), "127.0.0.1", 1, null, "quic");
        List<EndpointCheck> c = new EndpointVerifier(trusting(ROOT), 5000).verifyAll(List.of(e));
        assertThat(c).singleElement().satisfies(x -> {
            assertThat(x.outcome()).isEqualTo(EndpointCheck.Outcome.UNREACHABLE);
            assertThat(x.detail()).isEqualTo(EndpointCheck.DETAIL_UNSUPPORTED_PROTOCOL);
        });
    }

    @Test
    void detailsAreBoundedAndFreeOfControlCharacters() {
        EndpointCheck c = new EndpointCheck(UUID.randomUUID(), EndpointCheck.Outcome.UNTRUSTED,
                "bad\u0007name " + "x".repeat(800), List.of(new byte[] {1}));
        assertThat(c.detail()).hasSize(EndpointCheck.MAX_DETAIL).doesNotContain("\u0007");
    }
}
