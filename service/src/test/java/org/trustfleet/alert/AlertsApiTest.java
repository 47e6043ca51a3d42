package org.trustfleet.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.oneOf;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.asOperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.testing.ShiftedClock;
import org.trustfleet.testing.ShiftedClockProfile;

/**
 * Alerts end to end: real scans of in-process TLS servers whose chains change, a clock moved forward for expiry and
 * compliance, a loopback webhook receiver that checks every signature, and a receiver that answers 500.
 */
@QuarkusTest
@TestProfile(ShiftedClockProfile.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class AlertsApiTest {
    static final String HOST = "sts.alerts.test";
    static final int LEVEL = 86;
    static final Cert ROOT = TestPki.root("Alerts Root");
    static final Cert OTHER_ROOT = TestPki.root("Alerts Other Root");
    static final ObjectMapper JSON = new ObjectMapper();
    static WebhookReceiver receiver;
    static GreenMail smtp;

    @Inject
    AlertWatcher watcher;

    @Inject
    AlertMetrics metrics;

    @Inject
    io.agroal.api.AgroalDataSource db;

    @BeforeAll
    static void start() throws Exception {
        receiver = new WebhookReceiver(ShiftedClock.INSTANCE::instant);
        smtp = new GreenMail(new ServerSetup(ShiftedClockProfile.SMTP_PORT, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
    }

    @AfterAll
    static void stop() {
        receiver.close();
        smtp.stop();
    }

    @Test
    void eachEventFiresOnceForItsCauseSigned() throws Exception {
        asOperator().contentType(ContentType.JSON).body(Map.of("name", "alerts-" + LEVEL, "platform", "android",
                        "apiLevel", LEVEL, "pem", CertificateEncoder.toPem(List.of(ROOT.cert()))))
                .post("/api/v1/trust-stores").then().statusCode(oneOf(200, 201));
        String[] t = ApiFixtures.tenantWithAdmin("alerts");
        String tenant = t[0];
        String admin = t[1];
        JsonPath created = new JsonPath(as(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "ops hook", "kind", "WEBHOOK", "url", receiver.url("/events")))
                .post("/api/v1/tenants/{t}/alert-channels", tenant).then().statusCode(201).extract().asString());
        String secret = created.getString("secret");
        assertThat(secret).startsWith("whsec_");
        String channel = created.getString("id");
        // the secret is shown once: never in a listing or a read
        assertThat(as(admin).get("/api/v1/tenants/{t}/alert-channels/{c}", tenant, channel).then().statusCode(200)
                .extract().asString()).doesNotContain(secret).doesNotContain("secret");
        assertThat(as(admin).get("/api/v1/tenants/{t}/alert-channels", tenant).then().statusCode(200)
                .extract().asString()).doesNotContain(secret);
        // and at rest it is sealed under the master key: the database holds no usable secret
        try (java.sql.Connection c = db.getConnection(); java.sql.PreparedStatement q = c.prepareStatement(
                "SELECT secret FROM alert_channel WHERE id = ?")) {
            q.setObject(1, java.util.UUID.fromString(channel));
            try (java.sql.ResultSet r = q.executeQuery()) {
                assertThat(r.next()).isTrue();
                assertThat(r.getString(1)).isNotBlank().doesNotContain(secret).doesNotContain("whsec_");
            }
        }

        Cert intermediate = ROOT.issueIntermediate("Alerts CA");
        Instant leafExpiry = ShiftedClock.INSTANCE.instant().plus(Duration.ofDays(20));
        Cert leaf = intermediate.leaf(HOST).notAfter(leafExpiry).build();
        Cert otherIntermediate = OTHER_ROOT.issueIntermediate("Alerts Other CA");
        Cert otherLeaf = otherIntermediate.issueLeaf(HOST);
        String endpoint;
        try (TestTlsServer good = TestTlsServer.tls(TestPki.certs(leaf, intermediate), leaf.keyPair().getPrivate())) {
            endpoint = as(admin).contentType(ContentType.JSON).body(Map.of("name", "STS <b>", "host", "127.0.0.1",
                            "port", good.port(), "serverName", HOST))
                    .post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201).extract().path("id");
            scan(tenant, admin, endpoint);
        }
        // first scan: trusted at LEVEL; the bundled Android stores do not know the test root. The leaf expires in
        // 20 days, so the 30-day threshold is crossed (the clustered job would find it too; checked now)
        watcher.checkNow();
        Map<String, List<JsonNode>> events = awaitEvents(secret, 2);
        assertThat(events.get("CERTIFICATE_EXPIRING")).hasSize(1);
        assertThat(events.get("ENDPOINT_UNTRUSTED")).hasSize(1);
        assertThat(levels(events.get("ENDPOINT_UNTRUSTED").get(0))).doesNotContain(LEVEL);

        // another CA under a root LEVEL does not know: untrusted at LEVEL, chain changed
        try (TestTlsServer other = TestTlsServer.tls(TestPki.certs(otherLeaf, otherIntermediate),
                otherLeaf.keyPair().getPrivate())) {
            move(tenant, admin, endpoint, other.port());
            scan(tenant, admin, endpoint);
            events = awaitEvents(secret, 4);
            assertThat(events.get("CHAIN_CHANGED")).hasSize(1);
            assertThat(events.get("CHAIN_CHANGED").get(0).at("/data/change").asText()).isEqualTo("INTERMEDIATE_CHANGED");
            assertThat(events.get("ENDPOINT_UNTRUSTED")).hasSize(2);
            assertThat(levels(events.get("ENDPOINT_UNTRUSTED").get(1))).containsExactly(LEVEL);
            JsonNode untrusted = events.get("ENDPOINT_UNTRUSTED").get(1);
            assertThat(untrusted.get("summary").asText()).contains("STS <b>").contains("API level " + LEVEL);
            assertThat(untrusted.get("consoleUrl").asText())
                    .isEqualTo("https://trustfleet.example/console/tenants/" + tenant + "/endpoints/" + endpoint);
            assertThat(untrusted.get("apiUrl").asText()).startsWith("https://trustfleet.example/api/v1/tenants/"
                    + tenant + "/endpoints/" + endpoint + "/scans/");
            // the same chain again: nothing new
            scan(tenant, admin, endpoint);
        }
        // three failed scans in a row: unreachable once; a fourth adds nothing
        move(tenant, admin, endpoint, TestTlsServer.closedPort());
        for (int i = 0; i < 4; i++) {
            scan(tenant, admin, endpoint);
        }
        events = awaitEvents(secret, 5);
        assertThat(events.get("ENDPOINT_UNREACHABLE")).hasSize(1);
        assertThat(events.get("ENDPOINT_UNREACHABLE").get(0).at("/data/consecutiveFailures").asInt()).isEqualTo(3);

        // back to the first chain: recovered, trusted again, chain changed back
        try (TestTlsServer good = TestTlsServer.tls(TestPki.certs(leaf, intermediate), leaf.keyPair().getPrivate())) {
            move(tenant, admin, endpoint, good.port());
            scan(tenant, admin, endpoint);
            events = awaitEvents(secret, 8);
            assertThat(events.get("ENDPOINT_RECOVERED")).hasSize(1);
            assertThat(events.get("ENDPOINT_TRUSTED_AGAIN")).hasSize(1);
            assertThat(levels(events.get("ENDPOINT_TRUSTED_AGAIN").get(0))).containsExactly(LEVEL);
            assertThat(events.get("CHAIN_CHANGED")).hasSize(2);
            scan(tenant, admin, endpoint);
        }

        // metrics from the last successful scan
        metrics.refresh();
        String scraped = RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
        String ids = "endpoint_id=\"" + endpoint + "\"";
        assertThat(metricValue(scraped, "trustfleet_endpoint_trusted", ids, "api_level=\"" + LEVEL + "\""))
                .isEqualTo(1.0);
        assertThat(metricValue(scraped, "trustfleet_endpoint_presented_not_after_seconds", ids))
                .isEqualTo((double) leaf.cert().getNotAfter().toInstant().getEpochSecond());
        assertThat(metricValue(scraped, "trustfleet_endpoint_completed_not_after_seconds", ids))
                .isEqualTo((double) leaf.cert().getNotAfter().toInstant().getEpochSecond());
        assertThat(metricValue(scraped, "trustfleet_endpoint_last_scan_status", ids, "status=\"OK\"")).isEqualTo(1.0);
        assertThat(metricValue(scraped, "trustfleet_endpoint_info", ids, "name=\"STS <b>\"")).isEqualTo(1.0);
        assertThat(metricValue(scraped, "trustfleet_endpoint_last_scan_seconds", ids)).isPositive();

        // expiry: once per threshold, however often checked
        watcher.checkNow();
        watcher.checkNow();
        events = awaitEvents(secret, 8);
        assertThat(events.get("CERTIFICATE_EXPIRING")).hasSize(1);
        assertThat(events.get("CERTIFICATE_EXPIRING").get(0).at("/data/thresholdDays").asInt()).isEqualTo(30);
        assertThat(events.get("CERTIFICATE_EXPIRING").get(0).at("/data/sha256").asText()).isEqualTo(leaf.sha256());
        ShiftedClock.INSTANCE.advance(Duration.ofDays(7));
        watcher.checkNow();
        events = awaitEvents(secret, 9);
        assertThat(events.get("CERTIFICATE_EXPIRING").get(1).at("/data/thresholdDays").asInt()).isEqualTo(14);

        // a group that includes the intermediate: its first requirement set adds it; dropping it removes it
        String group = as(admin).contentType(ContentType.JSON).body(Map.of("name", "field", "minApiLevel", LEVEL,
                        "maxApiLevel", LEVEL, "include", List.of(intermediate.sha256())))
                .post("/api/v1/tenants/{t}/device-groups", tenant).then().statusCode(201).extract().path("id");
        events = awaitEvents(secret, 10);
        JsonNode requirements = events.get("REQUIREMENTS_CHANGED").get(0);
        assertThat(requirements.at("/data/groupId").asText()).isEqualTo(group);
        assertThat(requirements.at("/data/added").findValuesAsText("sha256")).containsExactly(intermediate.sha256());
        assertThat(requirements.at("/data/removed").size()).isZero();
        as(admin).contentType(ContentType.JSON).body(Map.of("name", "field", "minApiLevel", LEVEL,
                        "maxApiLevel", LEVEL))
                .put("/api/v1/tenants/{t}/device-groups/{g}", tenant, group).then().statusCode(200);
        events = awaitEvents(secret, 11);
        requirements = events.get("REQUIREMENTS_CHANGED").get(1);
        assertThat(requirements.at("/data/removed").findValuesAsText("sha256"))
                .containsExactly(intermediate.sha256());
        assertThat(requirements.at("/data/added").size()).isZero();
        assertThat(requirements.at("/data/version").asLong()).isEqualTo(2);

        // compliance: a fresh device has not reported, so 1 of 1 is not compliant; reported after the period
        DeviceFixtures.Device device = DeviceFixtures.device(tenant, admin, group);
        watcher.checkNow();
        ShiftedClock.INSTANCE.advance(Duration.ofHours(2));
        watcher.checkNow();
        watcher.checkNow();
        events = awaitEvents(secret, 12);
        assertThat(events.get("GROUP_NONCOMPLIANT")).hasSize(1);
        as(admin).delete("/api/v1/tenants/{t}/devices/{d}", tenant, device.id()).then().statusCode(204);
        watcher.checkNow();
        watcher.checkNow();
        events = awaitEvents(secret, 13);
        assertThat(events.get("GROUP_COMPLIANT_AGAIN")).hasSize(1);

        // one delivery per event, all delivered, the idempotency key is the event id
        List<WebhookReceiver.Received> got = receiver.at("/events");
        assertThat(got.stream().map(r -> r.header("Idempotency-Key")).distinct()).hasSize(got.size());
        JsonPath log = new JsonPath(as(admin).get("/api/v1/tenants/{t}/alert-deliveries", tenant).then()
                .statusCode(200).extract().asString());
        assertThat(log.getList("status")).hasSize(13).containsOnly("DELIVERED");
        metrics.refresh();
        scraped = RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
        String groupIds = "group_id=\"" + group + "\"";
        assertThat(metricValue(scraped, "trustfleet_group_info", groupIds, "name=\"field\"")).isEqualTo(1.0);
        assertThat(metricValue(scraped, "trustfleet_group_devices", groupIds, "state=\"PENDING\"")).isZero();
        List<Long> seqs = log.getList("seq", Long.class);
        assertThat(seqs).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    }

    @Test
    void failingReceiverIsRetriedWithBackoffThenFailed() {
        String[] t = ApiFixtures.tenantWithAdmin("alerts-retry");
        String tenant = t[0];
        String admin = t[1];
        receiver.answer("/broken", 500);
        String channel = as(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "broken", "kind", "WEBHOOK", "url", receiver.url("/broken")))
                .post("/api/v1/tenants/{t}/alert-channels", tenant).then().statusCode(201).extract().path("id");
        String eventId = as(admin).post("/api/v1/tenants/{t}/alert-channels/{c}/test", tenant, channel).then()
                .statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(60)).until(() -> "FAILED".equals(as(admin)
                .get("/api/v1/tenants/{t}/alert-deliveries", tenant).then().statusCode(200).extract()
                .path("[0].status")));
        JsonPath log = new JsonPath(as(admin).get("/api/v1/tenants/{t}/alert-deliveries", tenant).then()
                .extract().asString());
        assertThat(log.getInt("[0].lastHttpStatus")).isEqualTo(500);
        List<WebhookReceiver.Received> attempts = receiver.at("/broken");
        assertThat(attempts).hasSizeGreaterThanOrEqualTo(3);
        assertThat(log.getInt("[0].attempts")).isEqualTo(attempts.size());
        assertThat(attempts).allSatisfy(r -> assertThat(r.header("Idempotency-Key")).isEqualTo(eventId));
        // the wait before retry n is at least half of 200 ms * 2^(n-1), capped at 800 ms (equal jitter)
        for (int n = 1; n < attempts.size(); n++) {
            long minimum = Math.min(800, 200L << (n - 1)) / 2;
            assertThat(Duration.between(attempts.get(n - 1).at(), attempts.get(n).at()).toMillis())
                    .isGreaterThanOrEqualTo(minimum - 5);
        }
        metrics.refresh();
        String scraped = RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metricValue(scraped, "trustfleet_alert_deliveries", "tenant_id=\"" + tenant + "\"",
                "status=\"FAILED\"")).isEqualTo(1.0);
        assertThat(metricValue(scraped, "trustfleet_alert_deliveries", "tenant_id=\"" + tenant + "\"",
                "status=\"PENDING\"")).isZero();
        // paging: newest first, a full page links to the next
        as(admin).post("/api/v1/tenants/{t}/alert-channels/{c}/test", tenant, channel).then().statusCode(202);
        var first = as(admin).queryParam("limit", 1).get("/api/v1/tenants/{t}/alert-deliveries", tenant).then()
                .statusCode(200).extract();
        long newest = ((Number) first.path("[0].seq")).longValue();
        assertThat(first.header("Link")).isEqualTo("</api/v1/tenants/" + tenant + "/alert-deliveries?after="
                + newest + "&limit=1>; rel=\"next\"");
        List<Long> older = new JsonPath(as(admin).queryParam("limit", 1).queryParam("after", newest)
                .get("/api/v1/tenants/{t}/alert-deliveries", tenant).then().statusCode(200).extract().asString())
                .getList("seq", Long.class);
        assertThat(older).hasSize(1).allSatisfy(seq -> assertThat(seq).isLessThan(newest));
        org.trustfleet.testing.Contract.invalidRequest().auth().oauth2(admin).queryParam("after", "x").get("/api/v1/tenants/{t}/alert-deliveries", tenant).then()
                .statusCode(400);
    }

    @Test
    void slackAndTeamsGetTheirBodiesEscaped() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("alerts-chat");
        String tenant = t[0];
        String admin = t[1];
        String slack = as(admin).contentType(ContentType.JSON).body(Map.of("name", "<slack>", "kind", "SLACK",
                        "url", receiver.url("/slack"), "eventTypes", List.of("CHAIN_CHANGED")))
                .post("/api/v1/tenants/{t}/alert-channels", tenant).then().statusCode(201).extract().path("id");
        String teams = as(admin).contentType(ContentType.JSON).body(Map.of("name", "teams", "kind", "TEAMS",
                        "url", receiver.url("/teams")))
                .post("/api/v1/tenants/{t}/alert-channels", tenant).then().statusCode(201).extract().path("id");
        as(admin).post("/api/v1/tenants/{t}/alert-channels/{c}/test", tenant, slack).then().statusCode(202);
        as(admin).post("/api/v1/tenants/{t}/alert-channels/{c}/test", tenant, teams).then().statusCode(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> !receiver.at("/slack").isEmpty()
                && !receiver.at("/teams").isEmpty());
        JsonNode slackBody = JSON.readTree(receiver.at("/slack").get(0).body());
        assertThat(slackBody.get("text").asText()).contains("&lt;slack&gt;").doesNotContain("<slack>");
        assertThat(receiver.at("/slack").get(0).header("Trustfleet-Signature")).isNull();
        JsonNode teamsBody = JSON.readTree(receiver.at("/teams").get(0).body());
        assertThat(teamsBody.get("@type").asText()).isEqualTo("MessageCard");
        assertThat(teamsBody.get("text").asText()).contains("Test alert");
        // the console page lists the channels and the deliveries, escaped; a console (read-only) key cannot see it
        await().atMost(Duration.ofSeconds(30)).until(() -> as(admin).get("/api/v1/tenants/{t}/alert-deliveries",
                tenant).then().extract().jsonPath().getList("status").stream().allMatch("DELIVERED"::equals));
        String page = org.trustfleet.testing.ConsoleClient.signIn(admin).request()
                .get("/console/tenants/{t}/alerts", tenant).then().statusCode(200).extract().asString();
        assertThat(page).contains("&lt;slack&gt;").doesNotContain("<slack>").contains("Test alert for channel")
                .contains("DELIVERED").contains(receiver.url("/teams"));
        org.trustfleet.testing.ConsoleClient.signIn(ApiFixtures.issueKey(tenant, "console")).request()
                .get("/console/tenants/{t}/alerts", tenant).then().statusCode(403);
        // bad input is 400, never 500
        as(admin).contentType(ContentType.JSON).body(Map.of("name", "x", "kind", "WEBHOOK", "url", "ftp://x"))
                .post("/api/v1/tenants/{t}/alert-channels", tenant).then().statusCode(400);
        as(admin).contentType(ContentType.JSON).body(Map.of("name", "x", "kind", "EMAIL", "email", "not-an-address"))
                .post("/api/v1/tenants/{t}/alert-channels", tenant).then().statusCode(400);
        as(admin).contentType(ContentType.JSON).body(Map.of("name", "x", "kind", "WEBHOOK"))
                .post("/api/v1/tenants/{t}/alert-channels", tenant).then().statusCode(400);
        as(admin).delete("/api/v1/tenants/{t}/alert-channels/{c}", tenant, slack).then().statusCode(204);
        as(admin).get("/api/v1/tenants/{t}/alert-channels/{c}", tenant, slack).then().statusCode(404);
        String console = ApiFixtures.issueKey(tenant, "console");
        as(console).get("/api/v1/tenants/{t}/alert-channels", tenant).then().statusCode(403);
    }

    @Test
    void emailChannelsSendPlainTextOverSmtp() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("alerts-mail");
        String tenant = t[0];
        String admin = t[1];
        JsonPath created = new JsonPath(as(admin).contentType(ContentType.JSON).body(Map.of("name", "ops mail",
                        "kind", "EMAIL", "email", "Ops@Example.test"))
                .post("/api/v1/tenants/{t}/alert-channels", tenant).then().statusCode(201).extract().asString());
        assertThat(created.getString("email")).isEqualTo("ops@example.test");
        assertThat(created.getString("secret")).isNull();
        String eventId = as(admin).post("/api/v1/tenants/{t}/alert-channels/{c}/test", tenant,
                created.getString("id")).then().statusCode(202).extract().path("id");
        assertThat(smtp.waitForIncomingEmail(30_000, 1)).isTrue();
        jakarta.mail.internet.MimeMessage mail = smtp.getReceivedMessages()[0];
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("ops@example.test");
        assertThat(mail.getFrom()[0].toString()).isEqualTo("alerts@trustfleet.example");
        assertThat(mail.getSubject()).startsWith("[Trustfleet] TEST: Test alert for channel 'ops mail'");
        assertThat(mail.getHeader("Idempotency-Key")[0]).isEqualTo(eventId);
        assertThat(com.icegreen.greenmail.util.GreenMailUtil.getBody(mail)).contains("Event id: " + eventId);
        await().atMost(Duration.ofSeconds(30)).until(() -> "DELIVERED".equals(as(admin)
                .get("/api/v1/tenants/{t}/alert-deliveries", tenant).then().extract().path("[0].status")));
    }

    private Map<String, List<JsonNode>> awaitEvents(String secret, int count) {
        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.at("/events").size() >= count);
        List<WebhookReceiver.Received> got = receiver.at("/events");
        assertThat(got).hasSize(count);
        for (WebhookReceiver.Received r : got) {
            assertThat(Signatures.verify(secret, r.header(Signatures.HEADER), r.body(), r.clockAt().getEpochSecond(),
                    300))
                    .as("signature of %s", new String(r.body(), java.nio.charset.StandardCharsets.UTF_8)).isTrue();
        }
        return got.stream().map(r -> {
            try {
                JsonNode event = JSON.readTree(r.body());
                assertThat(r.header("Idempotency-Key")).isEqualTo(event.get("id").asText());
                return event;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).collect(Collectors.groupingBy(e -> e.get("type").asText()));
    }

    private static List<Integer> levels(JsonNode event) {
        List<Integer> levels = new java.util.ArrayList<>();
        event.at("/data/apiLevels").forEach(n -> levels.add(n.asInt()));
        return levels;
    }

    private static void scan(String tenant, String admin, String endpoint) {
        as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, endpoint).then().statusCode(201);
    }

    private static void move(String tenant, String admin, String endpoint, int port) {
        as(admin).contentType(ContentType.JSON).body(Map.of("name", "STS <b>", "host", "127.0.0.1", "port", port,
                        "serverName", HOST))
                .put("/api/v1/tenants/{t}/endpoints/{e}", tenant, endpoint).then().statusCode(200);
    }

    /** The value of the one series of {@code name} whose labels contain every fragment. */
    static double metricValue(String scraped, String name, String... fragments) {
        List<String> lines = scraped.lines().filter(l -> l.startsWith(name + "{"))
                .filter(l -> java.util.Arrays.stream(fragments).allMatch(l::contains)).toList();
        assertThat(lines).as("%s with %s", name, List.of(fragments)).hasSize(1);
        String line = lines.get(0);
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
