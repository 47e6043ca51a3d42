package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.oneOf;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.asOperator;
import static org.trustfleet.testing.Contract.invalidRequest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.cms.CMSSignedData;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * Devices verify the fix themselves: the payload lists the group's endpoints, two simulated devices (enrolled
 * through the API, speaking the wire format of docs/agent-protocol.md) connect to each with a JDK trust manager
 * over their own store and report; the drift report and the devices API show "verified on 1 of 2" and flag what the
 * scanner cannot see. Hostile reports are refused with 400 and store nothing.
 *
 * <p>An operator store stands for test level 76 and trusts the test root: the scanner judges both endpoints fixed.
 * One device's store lacks that root (an OEM store that dropped it); the devices' network blocks the second
 * endpoint, which the scanner reaches.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class DeviceVerificationApiTest {
    static final String HOST = "sts.fabrikam.test";
    static final int LEVEL = 76;
    static final Cert ROOT = TestPki.root("Verification Root");
    static final Cert OTHER_ROOT = TestPki.root("Verification Other Root");
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void devicesVerifyEndpointsAndTheReportFlagsWhatTheScannerCannotSee() throws Exception {
        asOperator().contentType(ContentType.JSON).body(Map.of("name", "verification-" + LEVEL, "platform",
                        "android", "apiLevel", LEVEL, "pem", CertificateEncoder.toPem(List.of(ROOT.cert()))))
                .post("/api/v1/trust-stores").then().statusCode(oneOf(200, 201));
        String[] t = ApiFixtures.tenantWithAdmin("verify");
        String tenant = t[0];
        String admin = t[1];
        Cert issuing = ROOT.issueIntermediate("Fabrikam Issuing CA");
        Cert leaf = issuing.issueLeaf(HOST);
        try (TestTlsServer sts = TestTlsServer.tls(TestPki.certs(leaf, issuing), leaf.keyPair().getPrivate());
                TestTlsServer mail = TestTlsServer.tls(TestPki.certs(leaf, issuing), leaf.keyPair().getPrivate())) {
            String stsId = endpoint(tenant, admin, "sts", sts.port());
            String mailId = endpoint(tenant, admin, "mail", mail.port());
            // agents speak TLS only: a mail server behind STARTTLS is the scanner's alone, never in the payload
            as(admin).contentType(ContentType.JSON).body(Map.of("name", "smtp", "host", "127.0.0.1", "port", 587,
                    "serverName", HOST, "protocol", "smtp-starttls"))
                    .post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201);
            scan(tenant, admin, stsId);
            scan(tenant, admin, mailId);
            String group = as(admin).contentType(ContentType.JSON).body(Map.of("name", "phones",
                            "minApiLevel", LEVEL, "maxApiLevel", LEVEL))
                    .post("/api/v1/tenants/{t}/device-groups", tenant).then().statusCode(201).extract().path("id");
            DeviceFixtures.Device withRoot = DeviceFixtures.device(tenant, admin, group);
            DeviceFixtures.Device withoutRoot = DeviceFixtures.device(tenant, admin, group);

            // the payload lists the group's endpoints, in id order, with the name to check
            JsonNode payload = payload(withRoot.token());
            List<String> ids = new ArrayList<>();
            payload.get("endpoints").forEach(e -> ids.add(e.get("endpointId").asText()));
            assertThat(ids).containsExactlyElementsOf(List.of(stsId, mailId).stream().sorted().toList());
            for (JsonNode e : payload.get("endpoints")) {
                assertThat(e.get("host").asText()).isEqualTo("127.0.0.1");
                assertThat(e.get("serverName").asText()).isEqualTo(HOST);
                assertThat(e.get("protocol").asText()).isEqualTo("tls");
            }
            List<String> fields = new ArrayList<>();
            payload.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).endsWith("certificates", "endpoints");

            // the devices' network blocks the mail endpoint (its port answers nothing from there)
            Set<Integer> blocked = Set.of(mail.port());
            post(withRoot, verify(payload, new SimulatedDevice(List.of(ROOT.cert()), blocked)));
            post(withoutRoot, verify(payload(withoutRoot.token()),
                    new SimulatedDevice(List.of(OTHER_ROOT.cert()), blocked)));
            // a revoked device of the group is not one of the devices that could verify
            DeviceFixtures.Device revoked = DeviceFixtures.device(tenant, admin, group);
            as(admin).delete("/api/v1/tenants/{t}/devices/{d}", tenant, revoked.id()).then().statusCode(204);

            JsonPath report = new JsonPath(as(admin).get("/api/v1/tenants/{t}/drift-report", tenant).then()
                    .statusCode(200).extract().asString());
            String stsEntry = "deviceVerifications.find { it.endpointId == '" + stsId + "' }";
            assertThat(report.getString(stsEntry + ".summary")).isEqualTo("verified on 1 of 2 devices");
            assertThat(report.getInt(stsEntry + ".trusted")).isEqualTo(1);
            assertThat(report.getInt(stsEntry + ".untrusted")).isEqualTo(1);
            assertThat(report.getInt(stsEntry + ".devices")).isEqualTo(2);
            assertThat(report.getList(stsEntry + ".flags")).containsExactly("UNTRUSTED_ON_DEVICES");
            String mailEntry = "deviceVerifications.find { it.endpointId == '" + mailId + "' }";
            assertThat(report.getString(mailEntry + ".summary")).isEqualTo("verified on 0 of 2 devices");
            assertThat(report.getInt(mailEntry + ".unreachable")).isEqualTo(2);
            assertThat(report.getList(mailEntry + ".flags")).containsExactly("NETWORK_PATH_PROBLEM");

            // the devices API shows each device's outcomes, the untrusted one with the chain it received
            JsonPath rejecting = new JsonPath(as(admin).get("/api/v1/tenants/{t}/devices/{d}", tenant,
                    withoutRoot.id()).then().statusCode(200).extract().asString());
            String stsOutcome = "verifications.find { it.endpointId == '" + stsId + "' }";
            assertThat(rejecting.getString(stsOutcome + ".outcome")).isEqualTo("UNTRUSTED");
            assertThat(rejecting.getList(stsOutcome + ".chain")).containsExactly(leaf.sha256(), issuing.sha256());
            assertThat(rejecting.getString("verifications.find { it.endpointId == '" + mailId + "' }.detail"))
                    .isEqualTo("REFUSED");
            JsonPath list = new JsonPath(as(admin).get("/api/v1/tenants/{t}/devices", tenant).then()
                    .statusCode(200).extract().asString());
            assertThat(list.getString("find { it.id == '" + withRoot.id() + "' }." + stsOutcome + ".outcome"))
                    .isEqualTo("TRUSTED");

            // a later verification replaces the earlier one: the root arrived, the device now trusts the endpoint
            post(withoutRoot, verify(payload, new SimulatedDevice(List.of(ROOT.cert()), Set.of())));
            report = new JsonPath(as(admin).get("/api/v1/tenants/{t}/drift-report", tenant).then()
                    .statusCode(200).extract().asString());
            assertThat(report.getString(stsEntry + ".summary")).isEqualTo("verified on 2 of 2 devices");
            assertThat(report.getList(stsEntry + ".flags")).isEmpty();
            assertThat(report.getString(mailEntry + ".summary")).isEqualTo("verified on 1 of 2 devices");

            String page = as(admin).accept("text/html").get("/api/v1/tenants/{t}/drift-report", tenant).then()
                    .statusCode(200).extract().asString();
            assertThat(page).contains("Verified by devices", "verified on 2 of 2 devices", "NETWORK_PATH_PROBLEM");
        }
    }

    @Test
    void hostileVerificationsAreRefusedAndStoreNothing() throws Exception {
        String[] a = ApiFixtures.tenantWithAdmin("verify-a");
        String[] b = ApiFixtures.tenantWithAdmin("verify-b");
        String mine = endpoint(a[0], a[1], "mine", TestTlsServer.closedPort());
        String outside = endpoint(a[0], a[1], "outside", TestTlsServer.closedPort());
        String foreign = endpoint(b[0], b[1], "foreign", TestTlsServer.closedPort());
        String group = as(a[1]).contentType(ContentType.JSON).body(Map.of("name", "narrow", "minApiLevel", 90,
                        "maxApiLevel", 99, "endpointIds", List.of(mine)))
                .post("/api/v1/tenants/{t}/device-groups", a[0]).then().statusCode(201).extract().path("id");
        DeviceFixtures.Device device = DeviceFixtures.device(a[0], a[1], group);

        Map<String, Object> good = result(mine, "TRUSTED", null, null);
        String chainOf101 = Base64.getEncoder().encodeToString(ROOT.cert().getEncoded());
        Map<String, List<Map<String, Object>>> cases = new LinkedHashMap<>();
        cases.put("another tenant's endpoint", List.of(good, result(foreign, "TRUSTED", null, null)));
        cases.put("an endpoint outside the group", List.of(good, result(outside, "UNREACHABLE", "REFUSED", null)));
        cases.put("the same endpoint twice", List.of(good, good));
        cases.put("a chain that is not base64", List.of(result(mine, "UNTRUSTED", "x", List.of("%%%"))));
        cases.put("a chain entry that is no certificate",
                List.of(result(mine, "UNTRUSTED", "x", List.of(Base64.getEncoder().encodeToString(new byte[] {
                        0x30, 0x03, 0x02, 0x01, 0x01})))));
        cases.put("a chain with a trusted outcome", List.of(result(mine, "TRUSTED", null, List.of(chainOf101))));
        cases.put("too long a chain", List.of(result(mine, "UNTRUSTED", "x",
                java.util.Collections.nCopies(21, chainOf101))));
        cases.put("a control character in the detail", List.of(result(mine, "UNREACHABLE", "DNS\u0000", null)));
        cases.put("too long a detail", List.of(result(mine, "UNREACHABLE", "x".repeat(501), null)));
        cases.put("an unknown outcome", List.of(result(mine, "MAYBE", null, null)));
        cases.put("too many results", java.util.Collections.nCopies(201, good));
        for (Map.Entry<String, List<Map<String, Object>>> c : cases.entrySet()) {
            Map<String, Object> body = new HashMap<>();
            body.put("payloadVersion", 1);
            body.put("results", c.getValue());
            io.restassured.response.Response response = invalidRequest().auth().oauth2(device.token())
                    .contentType(ContentType.JSON).body(body).post("/api/v1/device/verifications");
            assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(response.contentType()).as(c.getKey()).startsWith("application/problem+json");
        }
        assertThat(new JsonPath(as(a[1]).get("/api/v1/tenants/{t}/devices/{d}", a[0], device.id()).then()
                .statusCode(200).extract().asString()).getList("verifications")).isEmpty();
        assertThat(new JsonPath(as(b[1]).get("/api/v1/tenants/{t}/drift-report", b[0]).then().statusCode(200)
                .extract().asString()).getList("deviceVerifications")).isEmpty();

        // the device token is the only way in: an admin key or no token is refused
        Map<String, Object> body = Map.of("payloadVersion", 1, "results", List.of(good));
        as(a[1]).contentType(ContentType.JSON).body(body).post("/api/v1/device/verifications").then()
                .statusCode(403);
        invalidRequest().contentType(ContentType.JSON).body(body).post("/api/v1/device/verifications").then()
                .statusCode(401);
        as(device.token()).contentType(ContentType.JSON).body(body).post("/api/v1/device/verifications").then()
                .statusCode(202);
        as(a[1]).delete("/api/v1/tenants/{t}/devices/{d}", a[0], device.id()).then().statusCode(204);
        as(device.token()).contentType(ContentType.JSON).body(body).post("/api/v1/device/verifications").then()
                .statusCode(401);
    }

    private static Map<String, Object> result(String endpointId, String outcome, String detail, List<String> chain) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("endpointId", endpointId);
        r.put("outcome", outcome);
        if (detail != null) {
            r.put("detail", detail);
        }
        if (chain != null) {
            r.put("chain", chain);
        }
        return r;
    }

    /**
     * A device as the wire format describes it: its own store (the trust anchors its platform validator uses), and
     * its own network, where some ports are blocked.
     */
    record SimulatedDevice(List<X509Certificate> store, Set<Integer> blockedPorts) {}

    /** What an agent does after reconciling: connect to each listed endpoint and say what its validator said. */
    private static Map<String, Object> verify(JsonNode payload, SimulatedDevice device) throws Exception {
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        for (int i = 0; i < device.store().size(); i++) {
            anchors.setCertificateEntry("system:" + i, device.store().get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(anchors);
        X509TrustManager platform = (X509TrustManager) factory.getTrustManagers()[0];
        List<X509Certificate[]> received = new ArrayList<>();
        X509TrustManager recording = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                platform.checkClientTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                received.add(chain);
                platform.checkServerTrusted(chain, authType);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return platform.getAcceptedIssuers();
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[] {recording}, null);
        List<Map<String, Object>> results = new ArrayList<>();
        for (JsonNode endpoint : payload.get("endpoints")) {
            String id = endpoint.get("endpointId").asText();
            String host = endpoint.get("host").asText();
            int port = endpoint.get("port").asInt();
            String name = endpoint.hasNonNull("serverName") ? endpoint.get("serverName").asText() : host;
            received.clear();
            int dialled = device.blockedPorts().contains(port) ? TestTlsServer.closedPort() : port;
            try (Socket plain = new Socket()) {
                plain.connect(new InetSocketAddress(host, dialled), 5000);
                try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, name, port, false)) {
                    SSLParameters parameters = tls.getSSLParameters();
                    parameters.setServerNames(List.of(new SNIHostName(name)));
                    parameters.setEndpointIdentificationAlgorithm("HTTPS");
                    tls.setSSLParameters(parameters);
                    tls.startHandshake();
                    results.add(result(id, "TRUSTED", null, null));
                } catch (SSLHandshakeException e) {
                    List<String> chain = new ArrayList<>();
                    for (Certificate c : received.isEmpty() ? new X509Certificate[0] : received.get(0)) {
                        chain.add(Base64.getEncoder().encodeToString(c.getEncoded()));
                    }
                    results.add(chain.isEmpty() ? result(id, "UNREACHABLE", "TLS_ERROR", null)
                            : result(id, "UNTRUSTED", abbreviate(String.valueOf(e.getMessage())), chain));
                }
            } catch (ConnectException e) {
                results.add(result(id, "UNREACHABLE", "REFUSED", null));
            } catch (SocketTimeoutException e) {
                results.add(result(id, "UNREACHABLE", "TIMEOUT", null));
            } catch (IOException e) {
                results.add(result(id, "UNREACHABLE", "TLS_ERROR", null));
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("payloadVersion", payload.get("version").asLong());
        body.put("results", results);
        return body;
    }

    private static String abbreviate(String reason) {
        return reason.length() > 500 ? reason.substring(0, 500) : reason;
    }

    private static void post(DeviceFixtures.Device device, Map<String, Object> body) {
        as(device.token()).contentType(ContentType.JSON).body(body).post("/api/v1/device/verifications").then()
                .statusCode(202);
    }

    private static JsonNode payload(String deviceToken) throws Exception {
        byte[] cms = as(deviceToken).get("/api/v1/device/payload").then().statusCode(200).extract().asByteArray();
        return JSON.readTree((byte[]) new CMSSignedData(cms).getSignedContent().getContent());
    }

    private static String endpoint(String tenant, String admin, String name, int port) {
        return as(admin).contentType(ContentType.JSON).body(Map.of("name", name, "host", "127.0.0.1",
                        "port", port, "serverName", HOST))
                .post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201).extract().path("id");
    }

    private static void scan(String tenant, String admin, String endpoint) {
        as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, endpoint).then().statusCode(201);
    }
}
