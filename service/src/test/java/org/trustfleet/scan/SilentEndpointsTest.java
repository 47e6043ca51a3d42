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
import org.quartz.Scheduler;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.trustfleet.pki.TestPki;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * Endpoints that stop answering, through Quartz as in production: a scheduled scan that times out marks the
 * endpoint's trigger silent (fired first among triggers due at the same instant), one that is answered again marks
 * it back, the schedule itself unchanged; and the silent endpoints' scans run within their own share
 * ({@code max-silent-scans}, one here), without starving one another.
 */
@QuarkusTest
@TestProfile(SilentEndpointsTest.ShortRounds.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@SuppressWarnings("unchecked")
class SilentEndpointsTest {
    private static final String HOST = "sts.silent.test";
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);
    /** Endpoint intervals in seconds (one {@code scanIntervalMinutes} unit is a second here). */
    private static final int INTERVAL_UNITS = 4;
    private static final Duration PATIENCE = Duration.ofMinutes(2);

    /** Rounds of seconds, a short handshake timeout, and a share of one silent endpoint's scan at a time. */
    public static class ShortRounds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("trustfleet.scanner.interval-unit", "1s",
                    "trustfleet.scanner.first-scan-delay", "1s",
                    "trustfleet.scanner.handshake-timeout", HANDSHAKE_TIMEOUT.toSeconds() + "s",
                    "trustfleet.scanner.max-silent-scans", "1");
        }
    }

    @Inject
    Scheduler quartz;

    @Inject
    MeterRegistry metrics;

    @Test
    void anEndpointThatTimesOutIsFiredAsSilentUntilItAnswersAgain() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("silent");
        TestPki.Cert root = TestPki.root("Silent Root");
        TestPki.Cert leaf = root.issueLeaf(HOST);
        try (BlackHole hole = new BlackHole("127.0.0.1");
                TestTlsServer good = TestTlsServer.tls(TestPki.certs(leaf, root), leaf.keyPair().getPrivate());
                TcpRelay relay = new TcpRelay(hole.port())) {
            String endpoint = createEndpoint(t, "turns-silent", relay.port());
            TriggerKey key = TriggerKey.triggerKey(endpoint, ScanScheduler.GROUP);
            assertThat(quartz.getTrigger(key).getPriority()).isEqualTo(ScanScheduler.ANSWERED_PRIORITY);

            await("a scheduled scan that timed out, recorded on the trigger").atMost(PATIENCE)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> "HANDSHAKE_FAILED".equals(status(latest(t, endpoint)))
                            && quartz.getTrigger(key).getPriority() == ScanScheduler.SILENT_PRIORITY);
            Trigger silent = quartz.getTrigger(key);
            assertThat(ScanScheduler.expected(silent)).isEqualTo(Responsiveness.SILENT);
            // the same schedule: interval, repetition and the job it fires
            assertThat(((SimpleTrigger) silent).getRepeatInterval()).isEqualTo(INTERVAL_UNITS * 1000L);
            assertThat(((SimpleTrigger) silent).getRepeatCount()).isEqualTo(SimpleTrigger.REPEAT_INDEFINITELY);
            assertThat(silent.getMisfireInstruction())
                    .isEqualTo(SimpleTrigger.MISFIRE_INSTRUCTION_RESCHEDULE_NOW_WITH_EXISTING_REPEAT_COUNT);
            assertThat(silent.getJobKey().getName()).isEqualTo(endpoint);

            relay.switchTo(good.port());
            await("a scheduled scan answered again, recorded on the trigger").atMost(PATIENCE)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> "OK".equals(status(latest(t, endpoint)))
                            && quartz.getTrigger(key).getPriority() == ScanScheduler.ANSWERED_PRIORITY);
            // and it keeps firing on its schedule
            Instant answeredAt = Instant.parse(latest(t, endpoint).getString("startedAt"));
            await("the next scheduled scan").atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                    .until(() -> Instant.parse(latest(t, endpoint).getString("startedAt")).isAfter(answeredAt));
        }
    }

    @Test
    void anUpdateKeepsTheEndpointSilentUnlessItIsNowProbedElsewhere() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("silent-update");
        TestPki.Cert root = TestPki.root("Silent Update Root");
        TestPki.Cert leaf = root.issueLeaf(HOST);
        try (BlackHole hole = new BlackHole("127.0.0.1");
                TestTlsServer good = TestTlsServer.tls(TestPki.certs(leaf, root), leaf.keyPair().getPrivate())) {
            String endpoint = createEndpoint(t, "silent-renamed", hole.port());
            TriggerKey key = TriggerKey.triggerKey(endpoint, ScanScheduler.GROUP);
            await("a scheduled scan that timed out, recorded on the trigger").atMost(PATIENCE)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> priority(endpoint) == ScanScheduler.SILENT_PRIORITY);

            // a new name and interval, probed where it was: still silent, on the new interval (nothing but a scan
            // that answers could have made it answered meanwhile, and the hole never answers)
            updateEndpoint(t, endpoint, "silent-renamed-again", hole.port(), INTERVAL_UNITS + 1);
            Trigger renamed = quartz.getTrigger(key);
            assertThat(renamed.getPriority()).isEqualTo(ScanScheduler.SILENT_PRIORITY);
            assertThat(((SimpleTrigger) renamed).getRepeatInterval()).isEqualTo((INTERVAL_UNITS + 1) * 1000L);

            // probed elsewhere: what the old address did says nothing about the new one
            updateEndpoint(t, endpoint, "silent-renamed-again", good.port(), INTERVAL_UNITS);
            await("the moved endpoint fired as answered").atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                    .until(() -> "OK".equals(status(latest(t, endpoint)))
                            && priority(endpoint) == ScanScheduler.ANSWERED_PRIORITY);
        }
    }

    @Test
    void silentEndpointsAreScannedWithinTheirOwnShare() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("silent-share");
        try (BlackHole first = new BlackHole("127.0.0.1"); BlackHole second = new BlackHole("127.0.0.1")) {
            // created together, so their firings come due within moments of each other, round after round
            List<String> endpoints = List.of(createEndpoint(t, "silent-a", first.port()),
                    createEndpoint(t, "silent-b", second.port()));
            await("both endpoints known to be silent").atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                    .until(() -> endpoints.stream().allMatch(e -> priority(e) == ScanScheduler.SILENT_PRIORITY));
            Instant bothSilent = Instant.now();
            // with a share of one, the second firing of a round waits while the first one's handshake times out
            await("a silent scan waiting for its share").atMost(PATIENCE).pollInterval(Duration.ofMillis(50))
                    .until(() -> silentScans("waiting") >= 1);
            // and neither endpoint is starved: both keep being scanned
            await("two more scans of each").atMost(PATIENCE).pollInterval(Duration.ofMillis(500))
                    .until(() -> endpoints.stream().allMatch(e -> scansSince(t, e, bothSilent).size() >= 2));
            for (String e : endpoints) {
                assertThat(scansSince(t, e, bothSilent)).allSatisfy(
                        scan -> assertThat(scan.get("status")).isEqualTo("HANDSHAKE_FAILED"));
            }
        }
    }

    private double silentScans(String state) {
        return metrics.get("trustfleet.scan.silent").tag("state", state).gauge().value();
    }

    private int priority(String endpoint) {
        try {
            return quartz.getTrigger(TriggerKey.triggerKey(endpoint, ScanScheduler.GROUP)).getPriority();
        } catch (org.quartz.SchedulerException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String createEndpoint(String[] t, String name, int port) {
        return as(t[1]).contentType(ContentType.JSON).body(Map.of("name", name + "-" + port, "host", "127.0.0.1",
                        "port", port, "serverName", HOST, "scanIntervalMinutes", INTERVAL_UNITS))
                .post("/api/v1/tenants/{t}/endpoints", t[0]).then().statusCode(201).extract().path("id");
    }

    private static void updateEndpoint(String[] t, String endpoint, String name, int port, int interval) {
        as(t[1]).contentType(ContentType.JSON).body(Map.of("name", name, "host", "127.0.0.1", "port", port,
                        "serverName", HOST, "scanIntervalMinutes", interval))
                .put("/api/v1/tenants/{t}/endpoints/{e}", t[0], endpoint).then().statusCode(200);
    }

    /** The endpoint's scans (newest first, as the history answers) started after {@code since}. */
    private static List<Map<String, Object>> scansSince(String[] t, String endpoint, Instant since) {
        List<Map<String, Object>> scans = as(t[1]).queryParam("limit", 50)
                .get("/api/v1/tenants/{t}/endpoints/{e}/scans", t[0], endpoint).then().statusCode(200).extract()
                .jsonPath().getList("", Map.class).stream().map(m -> (Map<String, Object>) m).toList();
        return scans.stream().filter(s -> Instant.parse((String) s.get("startedAt")).isAfter(since)).toList();
    }

    private static JsonPath latest(String[] t, String endpoint) {
        var response = as(t[1]).get("/api/v1/tenants/{t}/endpoints/{e}/scans/latest", t[0], endpoint);
        return response.statusCode() == 200 ? new JsonPath(response.asString()) : null;
    }

    private static String status(JsonPath scan) {
        return scan == null ? null : scan.getString("status");
    }
}
