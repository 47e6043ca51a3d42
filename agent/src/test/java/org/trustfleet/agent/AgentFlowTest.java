package org.trustfleet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trustfleet.agent.jvm.JvmAgents;

/**
 * The library's whole flow on the JVM binding against a stand-in of the device API speaking the documented wire
 * format: a payload listing the missing intermediate and the group's endpoints; after the sync the endpoint the
 * intermediate fixes is trusted, the blocked one unreachable, and both verdicts and the observation are posted; an
 * unchanged observation is not sent again, a changed one is.
 */
class AgentFlowTest {

    static final TestCerts.Cert SYSTEM_ROOT = TestCerts.root("Flow System Root");
    static final TestCerts.Cert INTERMEDIATE = SYSTEM_ROOT.issueIntermediate("Flow Issuing CA");
    static final TestCerts.Cert LEAF = INTERMEDIATE.issueLeaf("sts.flow.test");

    @TempDir
    Path tmp;
    final UUID tenant = UUID.randomUUID();
    final UUID group = UUID.randomUUID();
    final TestCerts.Cert payloadRoot = TestCerts.root("Trustfleet Payload Root test");
    final TestCerts.Cert signer = payloadRoot.issueSigner(tenant);
    final List<JSONObject> reports = new CopyOnWriteArrayList<>();
    final List<JSONObject> verifications = new CopyOnWriteArrayList<>();
    final List<JSONObject> observations = new CopyOnWriteArrayList<>();
    volatile byte[] payload;
    HttpServer api;
    TlsTestServer sts;

    @BeforeEach
    void start() throws Exception {
        api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/api/v1/enroll", ex -> send(ex, 201, new JSONObject()
                .put("deviceId", UUID.randomUUID().toString()).put("deviceToken", "device-token")
                .put("payloadSignerChain", Certs.toPem(List.of(signer.cert(), payloadRoot.cert())))
                .put("payloadUrl", "/api/v1/device/payload").toString().getBytes(StandardCharsets.UTF_8), null));
        api.createContext("/api/v1/device/payload", ex -> {
            String etag = "\"" + Certs.sha256Hex(payload) + "\"";
            if (etag.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
                ex.sendResponseHeaders(304, -1);
                ex.close();
            } else {
                send(ex, 200, payload, etag);
            }
        });
        api.createContext("/api/v1/device/reports", ex -> accept(ex, reports));
        api.createContext("/api/v1/device/verifications", ex -> accept(ex, verifications));
        api.createContext("/api/v1/device/observations", ex -> accept(ex, observations));
        api.start();
        sts = TlsTestServer.tls(LEAF); // the misconfigured server: no intermediate sent
    }

    @AfterEach
    void stop() throws IOException {
        api.stop(0);
        sts.close();
    }

    private void accept(HttpExchange ex, List<JSONObject> into) throws IOException {
        if (!"Bearer device-token".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            send(ex, 401, new byte[0], null);
            return;
        }
        into.add(new JSONObject(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
        ex.sendResponseHeaders(202, -1);
        ex.close();
    }

    private static void send(HttpExchange ex, int status, byte[] body, String etag) throws IOException {
        ex.getResponseHeaders().set("Content-Type", status == 200 ? "application/pkcs7-mime" : "application/json");
        if (etag != null) {
            ex.getResponseHeaders().set("ETag", etag);
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        ex.close();
    }

    private void publish(long version, JSONArray endpoints, TestCerts.Cert... certs) throws Exception {
        Instant now = Instant.now();
        JSONArray list = new JSONArray();
        for (TestCerts.Cert c : certs) {
            list.put(new JSONObject().put("sha256", c.sha256()).put("role", "intermediate")
                    .put("der", Certs.base64(c.cert().getEncoded()))
                    .put("subject", c.cert().getSubjectX500Principal().getName())
                    .put("notAfter", c.cert().getNotAfter().toInstant().toString()));
        }
        JSONObject doc = new JSONObject().put("schema", "trustfleet.payload/v1").put("tenantId", tenant.toString())
                .put("deviceGroupId", group.toString()).put("version", version)
                .put("issuedAt", now.minusSeconds(5).toString()).put("expiresAt", now.plus(Duration.ofDays(7)).toString())
                .put("certificates", list).put("endpoints", endpoints);
        CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
        gen.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.keyPair().getPrivate()),
                        signer.cert()));
        gen.addCertificates(new JcaCertStore(List.of(signer.cert())));
        payload = gen.generate(new CMSProcessableByteArray(doc.toString().getBytes(StandardCharsets.UTF_8)), true)
                .getEncoded();
    }

    @Test
    void syncInstallsThenVerifiesEndpointsAndReportsObservationsOnlyWhenChanged() throws Exception {
        KeyStore system = KeyStore.getInstance("PKCS12");
        system.load(null, null);
        system.setCertificateEntry("root", SYSTEM_ROOT.cert());
        ReferenceAgent agent = JvmAgents.withChecks(tmp.resolve("state"), tmp.resolve("ca"), system, 33, 5000);
        agent.enroll("http://127.0.0.1:" + api.getAddress().getPort(), "enroll", "hw-flow", 33);

        int blocked;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            blocked = s.getLocalPort();
        }
        UUID fixed = UUID.randomUUID();
        UUID unreachable = UUID.randomUUID();
        publish(1, new JSONArray()
                .put(new JSONObject().put("endpointId", fixed.toString()).put("host", "127.0.0.1")
                        .put("port", sts.port()).put("serverName", "sts.flow.test").put("protocol", "tls"))
                .put(new JSONObject().put("endpointId", unreachable.toString()).put("host", "127.0.0.1")
                        .put("port", blocked).put("serverName", JSONObject.NULL).put("protocol", "tls")),
                INTERMEDIATE);

        SyncResult first = agent.sync();
        assertThat(first.added()).containsExactly(INTERMEDIATE.sha256());
        assertThat(first.verifications()).extracting(EndpointCheck::outcome)
                .containsExactly(EndpointCheck.Outcome.TRUSTED, EndpointCheck.Outcome.UNREACHABLE);
        assertThat(verifications).hasSize(1);
        JSONObject v = verifications.get(0);
        assertThat(v.getLong("payloadVersion")).isEqualTo(1);
        JSONArray results = v.getJSONArray("results");
        assertThat(results.getJSONObject(0).getString("endpointId")).isEqualTo(fixed.toString());
        assertThat(results.getJSONObject(0).getString("outcome")).isEqualTo("TRUSTED");
        assertThat(results.getJSONObject(1).getString("outcome")).isEqualTo("UNREACHABLE");
        assertThat(results.getJSONObject(1).getString("detail")).isEqualTo("REFUSED");

        assertThat(observations).hasSize(1);
        JSONObject o = observations.get(0);
        assertThat(o.getJSONObject("facts").getInt("apiLevel")).isEqualTo(33);
        assertThat(o.getJSONArray("systemStore").toList()).containsExactly(SYSTEM_ROOT.sha256());
        assertThat(reports).hasSize(1);

        // unchanged payload, store and facts: nothing verified again yet, no second observation
        SyncResult again = agent.sync();
        assertThat(again.outcome()).isEqualTo(SyncResult.Outcome.NOT_MODIFIED);
        assertThat(again.verifications()).isEmpty();
        assertThat(verifications).hasSize(1);
        assertThat(observations).hasSize(1);

        // the system store changes (an OS update): the next sync reports it
        system.setCertificateEntry("new", TestCerts.root("Added By Update").cert());
        agent.sync();
        assertThat(observations).hasSize(2);
        assertThat(observations.get(1).getJSONArray("systemStore").length()).isEqualTo(2);
    }

    @Test
    void beforeTheIntermediateIsInstalledTheDeviceRejectsTheEndpoint() throws Exception {
        KeyStore system = KeyStore.getInstance("PKCS12");
        system.load(null, null);
        system.setCertificateEntry("root", SYSTEM_ROOT.cert());
        ReferenceAgent agent = JvmAgents.withChecks(tmp.resolve("state"), tmp.resolve("ca"), system, 33, 5000);
        agent.enroll("http://127.0.0.1:" + api.getAddress().getPort(), "enroll", "hw-flow", 33);
        UUID id = UUID.randomUUID();
        publish(1, new JSONArray().put(new JSONObject().put("endpointId", id.toString()).put("host", "127.0.0.1")
                .put("port", sts.port()).put("serverName", "sts.flow.test").put("protocol", "tls")));

        SyncResult r = agent.sync();
        assertThat(r.verifications()).singleElement().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo(EndpointCheck.Outcome.UNTRUSTED);
            assertThat(c.chain()).containsExactly(LEAF.cert().getEncoded());
        });
        JSONObject result = verifications.get(0).getJSONArray("results").getJSONObject(0);
        assertThat(result.getJSONArray("chain").getString(0)).isEqualTo(Certs.base64(LEAF.cert().getEncoded()));
        assertThat(result.getString("detail")).isNotBlank();
    }
}
