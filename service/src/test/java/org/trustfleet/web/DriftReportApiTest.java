package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.startsWith;
import static org.hamcrest.Matchers.oneOf;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.asOperator;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.micrometer.core.instrument.Metrics;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/** The drift report lists chain changes, failing endpoints, expiring certificates and unresolved findings. */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class DriftReportApiTest {
    static final String HOST = "mail.northwind.test";
    static final Cert ROOT = TestPki.root("Drift Root");

    @Test
    void reportShowsWhatChangedFailsAndExpires() throws Exception {
        asOperator().contentType(ContentType.JSON).body(Map.of("name", "drift-api-83", "platform", "android",
                        "apiLevel", 83, "pem", CertificateEncoder.toPem(List.of(ROOT.cert()))))
                .post("/api/v1/trust-stores").then().statusCode(oneOf(200, 201));
        String[] t = ApiFixtures.tenantWithAdmin("drift");
        String tenant = t[0];
        String admin = t[1];
        String console = ApiFixtures.issueKey(tenant, "console");

        Cert intermediate = ROOT.issueIntermediate("Drift CA");
        Cert first = intermediate.issueLeaf(HOST);
        Cert soon = intermediate.leaf(HOST).notAfter(Instant.now().plus(Duration.ofDays(5))).build();
        String renewing;
        try (TestTlsServer server = TestTlsServer.tls(TestPki.certs(first, intermediate),
                first.keyPair().getPrivate())) {
            renewing = endpoint(tenant, admin, "ActiveSync", server.port());
            scan(tenant, admin, renewing);
        }
        scanServing(tenant, admin, renewing, "ActiveSync", soon, intermediate);
        String down = endpoint(tenant, admin, "Old STS", TestTlsServer.closedPort());
        scan(tenant, admin, down);
        String group = as(admin).contentType(ContentType.JSON).body(Map.of("name", "all", "minApiLevel", 83,
                        "maxApiLevel", 83))
                .post("/api/v1/tenants/{t}/device-groups", tenant).then().statusCode(201).extract().path("id");

        DeviceFixtures.Device device = DeviceFixtures.device(tenant, admin, group);

        JsonPath report = new JsonPath(as(console).get("/api/v1/tenants/{t}/drift-report", tenant).then()
                .statusCode(200).extract().asString());
        assertThat(report.getList("chainChanges.endpointId")).containsExactly(renewing);
        assertThat(report.getString("chainChanges[0].kind")).isEqualTo("LEAF_RENEWED");
        assertThat(report.getString("chainChanges[0].endpointName")).isEqualTo("ActiveSync");
        assertThat(report.getList("chainChanges[0].newChain")).containsExactly(soon.sha256(),
                intermediate.sha256());

        assertThat(report.getList("failingEndpoints.endpointId")).contains(down);
        assertThat(report.getString("failingEndpoints.find { it.endpointId == '" + down + "' }.status"))
                .isEqualTo("CONNECT_REFUSED");
        assertThat(report.getList("failingEndpoints.find { it.endpointId == '" + renewing
                + "' }.untrustedApiLevels")).doesNotContain(83);

        // the bundled stores lack the test root: the renewed chain is already the best the server can send
        assertThat(report.getList("failingEndpoints.find { it.endpointId == '" + renewing + "' }.serverFix.chain"))
                .containsExactly(soon.sha256(), intermediate.sha256());
        assertThat(report.getBoolean("failingEndpoints.find { it.endpointId == '" + renewing
                + "' }.serverFix.changesPresented")).isFalse();
        assertThat(report.getString("failingEndpoints.find { it.endpointId == '" + down + "' }.serverFix"))
                .isNull();
        assertSummarisesTheLatestScan(tenant, console, renewing,
                report.getMap("failingEndpoints.find { it.endpointId == '" + renewing + "' }.serverFix"));
        assertThat(report.getList("expiringCertificates.sha256"))
                .containsExactly(soon.sha256());
        assertThat(report.getList("expiringCertificates[0].endpointIds")).containsExactly(renewing);

        assertThat(report.getList("unresolved.code")).containsExactly("ENDPOINT_UNREACHABLE");
        assertThat(report.getString("unresolved[0].groupId")).isEqualTo(group);
        assertThat(report.getString("unresolved[0].endpointId")).isEqualTo(down);

        // the device enrolled but never reported: pending, and listed as not compliant
        assertThat(report.getInt("devices.byState.PENDING")).isEqualTo(1);
        assertThat(report.getInt("devices.byState.COMPLIANT")).isZero();
        assertThat(report.getList("devices.nonCompliant.deviceId")).containsExactly(device.id());

        // the same report as a page, for whatever prefers HTML (a browser's Accept header); JSON stays the default
        String page = as(console).accept("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
                .get("/api/v1/tenants/{t}/drift-report", tenant).then().statusCode(200)
                .contentType(startsWith("text/html")).extract().asString();
        assertThat(page).contains("<h1>Drift report</h1>", tenant, "ActiveSync", "LEAF_RENEWED", soon.sha256(),
                "Old STS", "CONNECT_REFUSED", "ENDPOINT_UNREACHABLE", "PENDING", "hw-",
                "the server already sends the best chain", "no server chain fixes API ",
                "(NO_PATH: issuer &#39;CN=Drift Root,");
        for (String accept : new String[] {"*/*", "application/json, text/html"}) {
            as(console).accept(accept).get("/api/v1/tenants/{t}/drift-report", tenant).then().statusCode(200)
                    .contentType(startsWith("application/json"));
        }
    }

    @Test
    void thePageEscapesWhatAdminsTyped() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("drift-escape");
        String endpoint = endpoint(t[0], t[1], "<script>alert('x')</script>", TestTlsServer.closedPort());
        scan(t[0], t[1], endpoint);
        String page = as(t[1]).accept("text/html").get("/api/v1/tenants/{t}/drift-report", t[0]).then()
                .statusCode(200).extract().asString();
        assertThat(page).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;").doesNotContain("<script>");
    }

    /**
     * A stored scan never changes, so a report keeps what it showed of each one (by scan id) and reads only scans it
     * has not seen before; a new scan of an endpoint is a new key, so the report shows it at once.
     */
    @Test
    void aRepeatedReportParsesNoScanTwiceAndShowsANewScanAtOnce() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("drift-digests");
        String tenant = t[0];
        String admin = t[1];
        String endpoint = endpoint(tenant, admin, "STS", TestTlsServer.closedPort());
        scan(tenant, admin, endpoint);
        String problem = "failingEndpoints.find { it.endpointId == '" + endpoint + "' }";

        double misses = digestGets("miss");
        JsonPath first = report(tenant, admin);
        assertThat(first.getString(problem + ".status")).isEqualTo("CONNECT_REFUSED");
        assertThat(digestGets("miss") - misses).isEqualTo(1);

        double hits = digestGets("hit");
        misses = digestGets("miss");
        JsonPath again = report(tenant, admin);
        assertThat(again.getMap(problem)).isEqualTo(first.getMap(problem));
        assertThat(digestGets("hit") - hits).isEqualTo(1);
        assertThat(digestGets("miss") - misses).isZero();

        Cert intermediate = ROOT.issueIntermediate("Digest CA");
        Cert leaf = intermediate.issueLeaf(HOST);
        scanServing(tenant, admin, endpoint, "STS", leaf, intermediate);
        misses = digestGets("miss");
        JsonPath rescanned = report(tenant, admin);
        // the test root is in no bundled store: the chain is reached now, and still rejected
        assertThat(rescanned.getString(problem + ".status")).isEqualTo("OK");
        assertThat(rescanned.getString(problem + ".lastScanAt")).isNotEqualTo(first.getString(problem
                + ".lastScanAt"));
        assertThat(rescanned.getList(problem + ".serverFix.chain")).containsExactly(leaf.sha256(),
                intermediate.sha256());
        assertThat(digestGets("miss") - misses).isEqualTo(1);
    }

    /**
     * A failing endpoint's server fix in the report says what the latest scan's per-level verdicts say: the levels
     * the chain fixes, the levels it does not, and for each of those the scan's reason, named once per reason.
     */
    @SuppressWarnings("unchecked")
    private static void assertSummarisesTheLatestScan(String tenant, String key, String endpoint,
            Map<String, Object> summary) {
        JsonPath scan = new JsonPath(as(key).get("/api/v1/tenants/{t}/endpoints/{e}/scans/latest", tenant, endpoint)
                .then().statusCode(200).extract().asString());
        List<Map<String, Object>> verdicts = scan.getList("serverFix.perApiLevel");
        assertThat(summary.get("chain")).isEqualTo(scan.getList("serverFix.chain"));
        assertThat(summary.get("changesPresented")).isEqualTo(scan.getBoolean("serverFix.changesPresented"));
        assertThat(summary.get("levelsFixed")).isEqualTo(verdicts.stream()
                .filter(v -> (Boolean) v.get("trusted") && !(Boolean) v.get("trustedAsPresented"))
                .map(v -> v.get("apiLevel")).toList());
        List<Integer> notFixed = scan.getList("serverFix.levelsNotFixed", Integer.class);
        assertThat(notFixed).isNotEmpty();
        assertThat(summary.get("levelsNotFixed")).isEqualTo(notFixed);
        List<Map<String, Object>> because = (List<Map<String, Object>>) summary.get("notFixedBecause");
        assertThat(because.stream().flatMap(b -> ((List<Integer>) b.get("apiLevels")).stream()).sorted().toList())
                .isEqualTo(notFixed);
        assertThat(because.stream().map(b -> b.get("failure")).distinct().count()).isEqualTo(because.size());
        for (Map<String, Object> reason : because) {
            for (Integer level : (List<Integer>) reason.get("apiLevels")) {
                assertThat(verdicts).filteredOn(v -> level.equals(v.get("apiLevel"))).singleElement()
                        .satisfies(v -> assertThat(v.get("failure")).isEqualTo(reason.get("failure")));
            }
        }
    }

    private static JsonPath report(String tenant, String key) {
        return new JsonPath(as(key).get("/api/v1/tenants/{t}/drift-report", tenant).then().statusCode(200).extract()
                .asString());
    }

    /** Lookups of the scan-digest cache with the given result, as its metrics count them. */
    private static double digestGets(String result) {
        return Metrics.globalRegistry.get("cache.gets").tag("cache", "scan-digests").tag("result", result)
                .functionCounter().count();
    }

    private static String endpoint(String tenant, String admin, String name, int port) {
        return as(admin).contentType(ContentType.JSON).body(Map.of("name", name, "host", "127.0.0.1",
                        "port", port, "serverName", HOST))
                .post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201).extract().path("id");
    }

    /** Points the endpoint at a loopback server presenting {@code leaf} and {@code intermediate}, and scans it. */
    private static void scanServing(String tenant, String admin, String endpoint, String name, Cert leaf,
            Cert intermediate) throws Exception {
        try (TestTlsServer server = TestTlsServer.tls(TestPki.certs(leaf, intermediate),
                leaf.keyPair().getPrivate())) {
            as(admin).contentType(ContentType.JSON).body(Map.of("name", name, "host", "127.0.0.1",
                            "port", server.port(), "serverName", HOST))
                    .put("/api/v1/tenants/{t}/endpoints/{e}", tenant, endpoint).then().statusCode(200);
            scan(tenant, admin, endpoint);
        }
    }

    private static void scan(String tenant, String admin, String endpoint) {
        as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, endpoint).then().statusCode(201);
    }
}
