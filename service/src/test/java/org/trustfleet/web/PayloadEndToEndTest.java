package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.oneOf;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.asOperator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.agent.AgentState;
import org.trustfleet.agent.FileAgentStateStore;
import org.trustfleet.agent.PayloadRejectedException;
import org.trustfleet.agent.ReferenceAgent;
import org.trustfleet.agent.RejectionReason;
import org.trustfleet.agent.SyncResult;
import org.trustfleet.agent.jvm.JvmAgents;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.Bytes;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.testing.StaticHttpServer;

/**
 * The whole loop with the reference agent against the running service: an endpoint is scanned, a group needs a
 * root its API level lacks, the agent enrolls, verifies, installs and reports, the device is COMPLIANT; the
 * endpoint moves to another chain, the next sync delivers the new version (PENDING until reported, then COMPLIANT
 * again). Then the agent is pointed at altered copies of the real server's bytes: tampered, another tenant's,
 * replayed older, and expired payloads are each rejected with their reason and change nothing.
 *
 * <p>Operator stores stand for two test levels: 70 trusts only the old root, 71 all three (which makes the new
 * roots known certificates). The group covers level 70 only.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class PayloadEndToEndTest {
    static final String HOST = "sts.contoso.test";
    static final Cert OLD_ROOT = TestPki.root("E2E Old Root");
    static final Cert NEW_ROOT = TestPki.root("E2E New Root");
    static final Cert NEWER_ROOT = TestPki.root("E2E Newer Root");

    @TestHTTPResource("/")
    URL base;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    @Test
    void agentFollowsTheChainAndRejectsAlteredPayloads() throws Exception {
        for (int level : new int[] {70, 71}) {
            List<X509Certificate> roots = level == 70 ? List.of(OLD_ROOT.cert())
                    : List.of(OLD_ROOT.cert(), NEW_ROOT.cert(), NEWER_ROOT.cert());
            asOperator().contentType(ContentType.JSON).body(Map.of("name", "payload-e2e-" + level,
                            "platform", "android", "apiLevel", level, "pem", CertificateEncoder.toPem(roots)))
                    .post("/api/v1/trust-stores").then().statusCode(oneOf(200, 201));
        }
        String[] t = ApiFixtures.tenantWithAdmin("payload-e2e");
        String tenant = t[0];
        String admin = t[1];

        Cert intNew = NEW_ROOT.issueIntermediate("Contoso Issuing CA 1");
        Cert leaf1 = intNew.issueLeaf(HOST);
        TestTlsServer server1 = server(TestTlsServer.tls(TestPki.certs(leaf1, intNew), leaf1.keyPair().getPrivate()));
        String endpoint = as(admin).contentType(ContentType.JSON).body(Map.of("name", "sts", "host", "127.0.0.1",
                        "port", server1.port(), "serverName", HOST))
                .post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201).extract().path("id");
        as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, endpoint).then().statusCode(201);
        String group = as(admin).contentType(ContentType.JSON).body(Map.of("name", "old phones",
                        "minApiLevel", 70, "maxApiLevel", 70, "endpointIds", List.of(endpoint)))
                .post("/api/v1/tenants/{t}/device-groups", tenant).then().statusCode(201).extract().path("id");
        long v1 = requirements(tenant, admin, group).getLong("version");
        assertThat(requirements(tenant, admin, group).getList("certificates.sha256"))
                .containsExactly(NEW_ROOT.sha256());

        // enroll and sync through the reference agent
        Path work = Files.createTempDirectory(Path.of("target"), "e2e-agent-");
        Path caDir = work.resolve("ca");
        ReferenceAgent agent = JvmAgents.create(work.resolve("state"), caDir);
        AgentState enrolled = agent.enroll(base.toString(), DeviceFixtures.enrollmentToken(tenant, admin, group, 1),
                "e2e-hw-1", 70);
        String device = enrolled.deviceId().toString();
        assertThat(state(tenant, admin, device)).isEqualTo("PENDING");

        SyncResult first = agent.sync();
        assertThat(first.outcome()).isEqualTo(SyncResult.Outcome.APPLIED);
        assertThat(first.version()).isEqualTo(v1);
        assertThat(first.added()).containsExactly(NEW_ROOT.sha256());
        assertThat(first.reportSent()).isTrue();
        assertThat(caDir.resolve(NEW_ROOT.sha256() + ".pem")).exists();
        assertThat(state(tenant, admin, device)).isEqualTo("COMPLIANT");
        assertThat(agent.sync().outcome()).isEqualTo(SyncResult.Outcome.NOT_MODIFIED);
        byte[] v1Bytes = as(enrolled.deviceToken()).get("/api/v1/device/payload").then().statusCode(200).extract()
                .asByteArray();

        // the endpoint moves to a chain under the newer root
        Cert intNewer = NEWER_ROOT.issueIntermediate("Contoso Issuing CA 2");
        Cert leaf2 = intNewer.issueLeaf(HOST);
        TestTlsServer server2 = server(TestTlsServer.tls(TestPki.certs(leaf2, intNewer),
                leaf2.keyPair().getPrivate()));
        as(admin).contentType(ContentType.JSON).body(Map.of("name", "sts", "host", "127.0.0.1",
                        "port", server2.port(), "serverName", HOST))
                .put("/api/v1/tenants/{t}/endpoints/{e}", tenant, endpoint).then().statusCode(200);
        as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, endpoint).then().statusCode(201);
        long v2 = requirements(tenant, admin, group).getLong("version");
        assertThat(v2).isGreaterThan(v1);
        assertThat(state(tenant, admin, device)).isEqualTo("PENDING");

        SyncResult second = agent.sync();
        assertThat(second.outcome()).isEqualTo(SyncResult.Outcome.APPLIED);
        assertThat(second.version()).isEqualTo(v2);
        assertThat(second.added()).containsExactly(NEWER_ROOT.sha256());
        assertThat(second.removed()).containsExactly(NEW_ROOT.sha256());
        assertThat(caDir.resolve(NEW_ROOT.sha256() + ".pem")).doesNotExist();
        assertThat(state(tenant, admin, device)).isEqualTo("COMPLIANT");
        byte[] v2Bytes = as(enrolled.deviceToken()).get("/api/v1/device/payload").then().statusCode(200)
                .extract().asByteArray();

        // altered copies of real served bytes, each rejected by the agent with its reason
        StaticHttpServer replay = StaticHttpServer.start();
        closing.add(replay);
        byte[] tampered = v2Bytes.clone();
        int at = Bytes.indexOf(tampered, "\"schema\":\"trustfleet.payload/v1\"".getBytes(StandardCharsets.US_ASCII));
        tampered[at + 1] = 'S';
        String[] other = ApiFixtures.tenantWithAdmin("payload-e2e-other");
        DeviceFixtures.Device foreign = DeviceFixtures.device(other[0], other[1]);
        byte[] otherTenants = as(foreign.token()).get("/api/v1/device/payload").then().statusCode(200).extract()
                .asByteArray();
        Path stateDir = work.resolve("state");
        String realUrl = agent.state().orElseThrow().payloadUrl();
        Map<RejectionReason, byte[]> cases = Map.of(RejectionReason.BAD_SIGNATURE, tampered,
                RejectionReason.WRONG_TENANT, otherTenants, RejectionReason.ROLLBACK, v1Bytes);
        for (Map.Entry<RejectionReason, byte[]> c : cases.entrySet()) {
            pointAt(stateDir, replay.serve("/" + c.getKey(), c.getValue()));
            assertThatThrownBy(agent::sync).isInstanceOfSatisfying(PayloadRejectedException.class,
                    e -> assertThat(e.reason()).isEqualTo(c.getKey()));
        }
        // a device whose clock is 8 days ahead sees the (real, current) payload as expired
        pointAt(stateDir, replay.serve("/current", v2Bytes));
        ReferenceAgent ahead = JvmAgents.create(stateDir, caDir,
                Clock.offset(Clock.systemUTC(), Duration.ofDays(8))::millis);
        assertThatThrownBy(ahead::sync).isInstanceOfSatisfying(PayloadRejectedException.class,
                e -> assertThat(e.reason()).isEqualTo(RejectionReason.EXPIRED));
        // nothing changed on the device: still v2, still the newer root, still compliant
        pointAt(stateDir, realUrl);
        assertThat(agent.state().orElseThrow().lastVersion()).isEqualTo(v2);
        assertThat(caDir.resolve(NEWER_ROOT.sha256() + ".pem")).exists();
        assertThat(agent.sync().outcome()).isEqualTo(SyncResult.Outcome.NOT_MODIFIED);
        assertThat(state(tenant, admin, device)).isEqualTo("COMPLIANT");
    }

    private TestTlsServer server(TestTlsServer server) {
        closing.add(server);
        return server;
    }

    private static void pointAt(Path stateDir, String payloadUrl) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Path file = stateDir.resolve(FileAgentStateStore.FILE_NAME);
        ObjectNode state = (ObjectNode) json.readTree(file.toFile());
        state.put("payloadUrl", payloadUrl);
        json.writeValue(file.toFile(), state);
    }


    private static JsonPath requirements(String tenant, String admin, String group) {
        return new JsonPath(as(admin).get("/api/v1/tenants/{t}/device-groups/{g}/requirements", tenant, group)
                .then().statusCode(200).extract().asString());
    }

    private static String state(String tenant, String admin, String device) {
        return as(admin).get("/api/v1/tenants/{t}/devices/{d}", tenant, device).then().statusCode(200).extract()
                .path("compliance.state");
    }
}
