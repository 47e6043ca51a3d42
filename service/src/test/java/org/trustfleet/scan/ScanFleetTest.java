package org.trustfleet.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.trustfleet.testing.Contract.as;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * The scanner at fleet scale, through Quartz as in production: black-holed endpoints (they accept and never answer)
 * hold a socket and a virtual thread each, not a scanner slot, so a good endpoint scheduled behind them is scanned
 * on time; and a scan's chain verdicts are reused only while the anchors are unchanged.
 */
@QuarkusTest
@TestProfile(ScanFleetTest.Fleet.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class ScanFleetTest {
    private static final String HOST = "sts.fleet.test";
    /** Long enough that the good endpoint's bound below cannot be met by luck while a black hole holds its slot. */
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration FIRST_SCAN_DELAY = Duration.ofSeconds(1);
    /** More black holes than the old scanner had slots (8), spread over addresses so politeness does not queue them. */
    private static final int BLACK_HOLES = 40;
    private static final int ADDRESSES = 20;

    /** Scheduled scans start a second after an endpoint is created; a black hole costs a 10 s handshake timeout. */
    public static class Fleet implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("trustfleet.scanner.first-scan-delay", FIRST_SCAN_DELAY.toSeconds() + "s",
                    "trustfleet.scanner.handshake-timeout", HANDSHAKE_TIMEOUT.toSeconds() + "s");
        }
    }

    @Inject
    MeterRegistry metrics;

    @Test
    void blackHolesDoNotDelayAGoodEndpointScheduledBehindThem() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("fleet");
        TestPki.Cert root = TestPki.root("Fleet Root");
        TestPki.Cert leaf = root.issueLeaf(HOST);
        List<BlackHole> holes = new ArrayList<>();
        List<String> silentEndpoints = new ArrayList<>();
        try (TestTlsServer good = TestTlsServer.tls(TestPki.certs(leaf, root), leaf.keyPair().getPrivate())) {
            for (int i = 0; i < BLACK_HOLES; i++) {
                String address = "127.0.0." + (2 + i % ADDRESSES);
                BlackHole hole = new BlackHole(address);
                holes.add(hole);
                silentEndpoints.add(createEndpoint(t, "hole-" + i, address, hole.port()));
            }
            // created last, so Quartz fires it after every black hole
            String goodEndpoint = createEndpoint(t, "good", "127.0.0.1", good.port());
            Instant due = Instant.now().plus(FIRST_SCAN_DELAY);

            JsonPath scan = await("the good endpoint's first scheduled scan").atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(200)).until(() -> latest(t, goodEndpoint), s -> s != null);
            assertThat(scan.getString("status")).isEqualTo("OK");
            assertThat(scan.getString("trigger")).isEqualTo("SCHEDULED");
            // on time: it started before a single black hole's timeout had passed (with 8 blocking slots it would
            // have waited for five rounds of them)
            assertThat(Instant.parse(scan.getString("startedAt"))).isBefore(due.plus(HANDSHAKE_TIMEOUT));

            // each black hole cost one handshake timeout, not two
            for (String endpoint : silentEndpoints) {
                JsonPath silent = await("the scan of black hole " + endpoint).atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofMillis(500)).until(() -> latest(t, endpoint), s -> s != null);
                assertThat(silent.getString("status")).isEqualTo("HANDSHAKE_FAILED");
                assertThat(Duration.ofMillis(silent.getLong("durationMs")))
                        .isGreaterThanOrEqualTo(HANDSHAKE_TIMEOUT).isLessThan(HANDSHAKE_TIMEOUT.multipliedBy(2));
            }
        } finally {
            for (BlackHole hole : holes) {
                hole.close();
            }
        }
    }

    @Test
    void verdictsAreReusedUntilTheAnchorsChange() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("reuse");
        TestPki.Cert privateRoot = TestPki.root("Fleet Private Root");
        TestPki.Cert intermediate = privateRoot.issueIntermediate("Fleet Private CA");
        TestPki.Cert leaf = intermediate.issueLeaf(HOST);
        try (TestTlsServer server = TestTlsServer.tls(TestPki.certs(leaf, intermediate),
                leaf.keyPair().getPrivate())) {
            String endpoint = createEndpoint(t, "private", "127.0.0.1", server.port());
            JsonPath first = scanNow(t, endpoint);
            assertThat(first.getList("completedPath", String.class)).doesNotContain(privateRoot.sha256());
            double reusedBefore = reused();
            JsonPath second = scanNow(t, endpoint);
            assertThat(reused()).as("verdicts reused").isGreaterThan(reusedBefore);
            assertThat(second.getList("perApiLevel")).isEqualTo(first.getList("perApiLevel"));

            // the tenant trusts its private root from now on: the next scan judges the chain again and completes it
            as(t[1]).contentType(ContentType.JSON).body(Map.of("pem", CertificateEncoder.toPem(
                            List.of(privateRoot.cert())), "note", "fleet private root"))
                    .post("/api/v1/tenants/{t}/anchors", t[0]).then().statusCode(201);
            JsonPath third = scanNow(t, endpoint);
            assertThat(third.getList("completedPath", String.class)).containsExactly(leaf.sha256(),
                    intermediate.sha256(), privateRoot.sha256());
        }
    }

    @Test
    void verdictsAreNotReusedOnceAnotherEndpointTeachesTheMissingIntermediate() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("reuse-learn");
        TestPki.Cert root = TestPki.root("Fleet Learned Root");
        TestPki.Cert intermediate = root.issueIntermediate("Fleet Learned CA"); // no AIA: only a scan can teach it
        TestPki.Cert leaf = intermediate.issueLeaf(HOST);
        as(t[1]).contentType(ContentType.JSON).body(Map.of("pem", CertificateEncoder.toPem(List.of(root.cert())),
                "note", "fleet learned root")).post("/api/v1/tenants/{t}/anchors", t[0]).then().statusCode(201);
        try (TestTlsServer leafOnly = TestTlsServer.tls(TestPki.certs(leaf), leaf.keyPair().getPrivate());
                TestTlsServer whole = TestTlsServer.tls(TestPki.certs(leaf, intermediate),
                        leaf.keyPair().getPrivate())) {
            String incomplete = createEndpoint(t, "incomplete", "127.0.0.1", leafOnly.port());
            assertThat(scanNow(t, incomplete).getList("completedPath", String.class)).isEmpty();
            assertThat(scanNow(t, incomplete).getList("completedPath", String.class)).isEmpty();

            // another endpoint presents the intermediate: the same chain as before now completes
            scanNow(t, createEndpoint(t, "complete", "127.0.0.1", whole.port()));
            assertThat(scanNow(t, incomplete).getList("completedPath", String.class)).containsExactly(
                    leaf.sha256(), intermediate.sha256(), root.sha256());
        }
    }

    private double reused() {
        var counter = metrics.find("trustfleet.scan.reuse").tag("part", "verdicts").counter();
        return counter == null ? 0 : counter.count();
    }

    private static String createEndpoint(String[] t, String name, String host, int port) {
        return as(t[1]).contentType(ContentType.JSON).body(Map.of("name", name + "-" + port, "host", host, "port", port,
                        "serverName", HOST, "scanIntervalMinutes", 60))
                .post("/api/v1/tenants/{t}/endpoints", t[0]).then().statusCode(201).extract().path("id");
    }

    private static JsonPath scanNow(String[] t, String endpoint) {
        return new JsonPath(as(t[1]).post("/api/v1/tenants/{t}/endpoints/{e}/scans", t[0], endpoint)
                .then().statusCode(201).extract().asString());
    }

    private static JsonPath latest(String[] t, String endpoint) {
        var response = as(t[1]).get("/api/v1/tenants/{t}/endpoints/{e}/scans/latest", t[0], endpoint);
        return response.statusCode() == 200 ? new JsonPath(response.asString()) : null;
    }
}
