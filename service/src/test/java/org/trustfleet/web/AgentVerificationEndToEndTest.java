package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.oneOf;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.asOperator;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.trustfleet.agent.CaStore;
import org.trustfleet.agent.EndpointCheck;
import org.trustfleet.agent.EndpointVerifier;
import org.trustfleet.agent.FileAgentStateStore;
import org.trustfleet.agent.ReferenceAgent;
import org.trustfleet.agent.SyncResult;
import org.trustfleet.agent.TimeSource;
import org.trustfleet.agent.jvm.JvmAgents;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.ConsoleClient;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * The service and two real agents (the agent library, as a DPC embeds it) whose trust differs: one installs the
 * intermediate its group delivers, the other cannot install anything (a device whose CA-install delegation was
 * withdrawn). Both verify the endpoints themselves over TLS; the drift report then says "verified on 1 of 2", flags
 * the endpoint the scanner judges fixed but a device rejects, and flags the endpoint only the devices cannot reach,
 * in the API and in the console.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class AgentVerificationEndToEndTest {
    static final String HOST = "sts.northwind.test";
    static final int LEVEL = 78;
    static final Cert ROOT = TestPki.root("Northwind Root");
    static final int TIMEOUT_MS = 30_000; // loopback answers at once; only a hang reaches this

    @TestHTTPResource("/")
    URL base;

    @Test
    void twoAgentsWhoseTrustDiffersReportWhatTheirDevicesSee() throws Exception {
        asOperator().contentType(ContentType.JSON).body(Map.of("name", "agent-verification-" + LEVEL, "platform",
                        "android", "apiLevel", LEVEL, "pem", CertificateEncoder.toPem(List.of(ROOT.cert()))))
                .post("/api/v1/trust-stores").then().statusCode(oneOf(200, 201));
        String[] t = ApiFixtures.tenantWithAdmin("agent-verification");
        String tenant = t[0];
        String admin = t[1];
        Cert issuing = ROOT.issueIntermediate("Northwind Issuing CA");
        Cert leaf = issuing.issueLeaf(HOST);
        TestTlsServer mail = TestTlsServer.tls(TestPki.certs(leaf, issuing), leaf.keyPair().getPrivate());
        try (TestTlsServer sts = TestTlsServer.tls(TestPki.certs(leaf), leaf.keyPair().getPrivate())) {
            // the mail server presents the whole chain (so the intermediate is known); the STS forgets it
            String mailId = endpoint(tenant, admin, "mail", mail.port());
            String stsId = endpoint(tenant, admin, "sts", sts.port());
            scan(tenant, admin, mailId);
            scan(tenant, admin, stsId);
            String group = as(admin).contentType(ContentType.JSON).body(Map.of("name", "field phones",
                            "minApiLevel", LEVEL, "maxApiLevel", LEVEL))
                    .post("/api/v1/tenants/{t}/device-groups", tenant).then().statusCode(201).extract().path("id");
            assertThat(new JsonPath(as(admin).get("/api/v1/tenants/{t}/device-groups/{g}/requirements", tenant, group)
                    .then().statusCode(200).extract().asString()).getList("certificates.sha256"))
                    .containsExactly(issuing.sha256());

            KeyStore system = systemStore(ROOT.cert());
            Path work = Files.createTempDirectory(Path.of("target"), "agent-verification-");
            ReferenceAgent installs = JvmAgents.withChecks(work.resolve("a-state"), work.resolve("a-ca"), system,
                    LEVEL, TIMEOUT_MS);
            ReferenceAgent cannotInstall = new ReferenceAgent(new FileAgentStateStore(work.resolve("b-state")
                    .toFile()), new RefusingCaStore(), TimeSource.SYSTEM)
                    .verifyEndpointsWith(new EndpointVerifier(EndpointVerifier.fromKeyStore(system), TIMEOUT_MS),
                            ReferenceAgent.DEFAULT_REVERIFY_MILLIS);
            String enrollment = DeviceFixtures.enrollmentToken(tenant, admin, group, 2);
            installs.enroll(base.toString(), enrollment, "northwind-a", LEVEL);
            cannotInstall.enroll(base.toString(), enrollment, "northwind-b", LEVEL);

            // the devices' network cannot reach the mail server any more; the scanner's latest scan did
            mail.close();
            SyncResult a = installs.sync();
            SyncResult b = cannotInstall.sync();

            assertThat(a.added()).containsExactly(issuing.sha256());
            Map<String, EndpointCheck> seenByA = byEndpoint(a.verifications());
            Map<String, EndpointCheck> seenByB = byEndpoint(b.verifications());
            assertThat(seenByA.get(stsId).outcome()).isEqualTo(EndpointCheck.Outcome.TRUSTED);
            assertThat(seenByB.get(stsId).outcome()).isEqualTo(EndpointCheck.Outcome.UNTRUSTED);
            assertThat(seenByA.get(mailId).outcome()).isEqualTo(EndpointCheck.Outcome.UNREACHABLE);
            assertThat(seenByA.get(mailId).detail()).isEqualTo("REFUSED");

            JsonPath report = new JsonPath(as(admin).get("/api/v1/tenants/{t}/drift-report", tenant).then()
                    .statusCode(200).extract().asString());
            String stsEntry = "deviceVerifications.find { it.endpointId == '" + stsId + "' }";
            assertThat(report.getString(stsEntry + ".summary")).isEqualTo("verified on 1 of 2 devices");
            assertThat(report.getList(stsEntry + ".flags")).containsExactly("UNTRUSTED_ON_DEVICES");
            String mailEntry = "deviceVerifications.find { it.endpointId == '" + mailId + "' }";
            assertThat(report.getString(mailEntry + ".summary")).isEqualTo("verified on 0 of 2 devices");
            assertThat(report.getInt(mailEntry + ".unreachable")).isEqualTo(2);
            assertThat(report.getList(mailEntry + ".flags")).containsExactly("NETWORK_PATH_PROBLEM");
            // the admin console's drift page shows the same
            String page = ConsoleClient.signIn(admin).request().get("/console/tenants/{t}/drift", tenant).then()
                    .statusCode(200).extract().asString();
            assertThat(page).contains("Verified by devices", "verified on 1 of 2 devices",
                    "verified on 0 of 2 devices", "UNTRUSTED_ON_DEVICES", "NETWORK_PATH_PROBLEM");
            // the device that could not install says so in its report as well
            assertThat(as(admin).get("/api/v1/tenants/{t}/devices/{d}", tenant,
                            cannotInstall.state().orElseThrow().deviceId()).then().statusCode(200).extract()
                    .<String>path("compliance.state")).isEqualTo("FAILED");
        } finally {
            mail.close();
        }
    }

    private static Map<String, EndpointCheck> byEndpoint(List<EndpointCheck> checks) {
        return checks.stream().collect(Collectors.toMap(c -> c.endpointId().toString(), Function.identity()));
    }

    private static KeyStore systemStore(X509Certificate root) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("system:root", root);
        return store;
    }

    private static String endpoint(String tenant, String admin, String name, int port) {
        return as(admin).contentType(ContentType.JSON).body(Map.of("name", name, "host", "127.0.0.1",
                        "port", port, "serverName", HOST))
                .post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201).extract().path("id");
    }

    private static void scan(String tenant, String admin, String endpoint) {
        as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, endpoint).then().statusCode(201);
    }

    /** A device on which the agent may not install CAs (its CERT_INSTALL delegation was withdrawn). */
    private static final class RefusingCaStore implements CaStore {
        @Override
        public Presence presence(String sha256) {
            return Presence.ABSENT;
        }

        @Override
        public void install(X509Certificate certificate) throws IOException {
            throw new IOException("installCaCert returned false");
        }

        @Override
        public void uninstall(String sha256) {
            // nothing was ever installed
        }

        @Override
        public List<X509Certificate> certificates() {
            return List.of();
        }

        @Override
        public String describe(String sha256) {
            return sha256;
        }
    }
}
