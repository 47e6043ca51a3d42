package org.trustfleet.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.trustfleet.agent.AgentException;
import org.trustfleet.agent.AgentState;
import org.trustfleet.agent.ReferenceAgent;
import org.trustfleet.agent.jvm.JvmAgents;
import org.trustfleet.boot.EmbeddedDatabase;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.testing.DeviceLoad;
import org.trustfleet.testing.DeviceLoad.Exchange;
import org.trustfleet.testing.ServiceProcess;

/**
 * PostgreSQL stopped and restarted under device load, with the packaged service running throughout. The database is
 * an external one (the embedded binaries, started and stopped by the test) so that the test controls it.
 *
 * <p>During the outage: readiness is DOWN, device calls that need the database get 503 problem documents with
 * {@code Retry-After} (held to {@code openapi.yaml}), no call hangs (every answer within the client's bound) and
 * nothing is a 500. After it, without a restart of the service: readiness is UP, every device gets its reports
 * accepted again, the database holds for each device exactly the last report it was answered 202 for, each device is
 * stored once, and reference agents that kept syncing through the outage converge on a payload changed after it.
 *
 * <p>The test waits for conditions, not times: the outage lasts until its effects have been observed, so a slow
 * machine makes it longer, not red.
 */
class DatabaseOutageIT {
    private static final String OPERATOR = "tfo_outage-it-operator-token";
    private static final int DEVICES = 24;
    private static final int AGENTS = 4;
    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final OpenApiInteractionValidator CONTRACT = OpenApiInteractionValidator
            .createForSpecificationUrl(Path.of("..", "openapi.yaml").toAbsolutePath().toUri().toString()).build();

    @Test
    void devicesRideOutADatabaseRestart() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target"), "it-outage-");
        Path pgDir = work.resolve("pg");
        EmbeddedDatabase db = EmbeddedDatabase.start(pgDir, 0, false); // kept on close: the restart reuses it
        int pgPort = db.port();
        String pgPassword = db.password();
        boolean dbRunning = true;
        ServiceProcess service = null;
        DeviceLoad load = null;
        AgentLoop agentLoop = null;
        try {
            service = ServiceProcess.start(work.resolve("data"), settings(db));
            long pid = service.pid();
            String base = service.baseUrl();
            String tenant = field(send(base, "POST", "/api/v1/tenants", OPERATOR,
                    Map.of("name", "outage-" + UUID.randomUUID())), "id");
            String admin = field(send(base, "POST", "/api/v1/tenants/" + tenant + "/api-keys", OPERATOR,
                    Map.of("name", "it admin", "role", "admin")), "token");
            String group = field(send(base, "POST", "/api/v1/tenants/" + tenant + "/device-groups", admin,
                    groupBody(List.of())), "id");
            String enrollment = field(send(base, "POST", "/api/v1/tenants/" + tenant + "/enrollment-tokens", admin,
                    Map.of("deviceGroupId", group, "expiresInSeconds", 3600, "maxUses", DEVICES + AGENTS)), "token");
            load = DeviceLoad.enroll(List.of(base), enrollment, DEVICES);
            List<ReferenceAgent> agents = new ArrayList<>();
            for (int i = 0; i < AGENTS; i++) {
                ReferenceAgent agent = JvmAgents.create(work.resolve("agent-" + i), work.resolve("agent-" + i
                        + "-ca"));
                agent.enroll(base, enrollment, "agent-" + i + "-" + UUID.randomUUID(), 95);
                agents.add(agent);
            }
            agentLoop = new AgentLoop(agents);
            AgentLoop syncing = agentLoop;

            // --- before: everything works
            load.start(4, Duration.ofMinutes(12));
            agentLoop.start();
            DeviceLoad running = load;
            await("every device has a report accepted").atMost(PATIENCE).pollInterval(Duration.ofMillis(500))
                    .until(() -> acceptedDevices(running, Instant.EPOCH) == DEVICES);

            // --- outage: PostgreSQL stops (fast shutdown: open sessions are terminated)
            db.close();
            dbRunning = false;
            Instant down = Instant.now();
            await("readiness DOWN while the database is down").atMost(PATIENCE).pollInterval(Duration.ofMillis(500))
                    .until(() -> status(base + "/q/health/ready") == 503);
            await("device reports and payload fetches answered 503 during the outage").atMost(PATIENCE)
                    .pollInterval(Duration.ofMillis(500)).until(() ->
                            !running.exchanges(x -> x.status() == 503 && x.operation().equals("report")
                                    && x.started().isAfter(down)).isEmpty()
                            && !running.exchanges(x -> x.status() == 503 && x.operation().equals("payload")
                                    && x.started().isAfter(down)).isEmpty());
            HttpResponse<String> enroll = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/enroll"))
                    .timeout(DeviceLoad.REQUEST_TIMEOUT).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("enrollmentToken",
                            enrollment, "hardwareId", "during-outage", "apiLevel", 95)))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertUnavailable("POST", "/api/v1/enroll", enroll.statusCode(),
                    enroll.headers().firstValue("Content-Type").orElse(""),
                    enroll.headers().firstValue("Retry-After").orElse(null), enroll.body());
            await("the agents met the outage").atMost(PATIENCE).pollInterval(Duration.ofMillis(500))
                    .until(() -> syncing.failures() > 0);

            // --- PostgreSQL back, same port and data; the service is not restarted
            db = EmbeddedDatabase.start(pgDir, pgPort, false);
            dbRunning = true;
            assertThat(db.password()).isEqualTo(pgPassword);
            Instant up = Instant.now();
            await("readiness UP again").atMost(PATIENCE).pollInterval(Duration.ofMillis(500))
                    .until(() -> status(base + "/q/health/ready") == 200);
            await("every device has a report accepted after the restart").atMost(PATIENCE)
                    .pollInterval(Duration.ofMillis(500)).until(() -> acceptedDevices(running, up) == DEVICES);

            // --- a change after the outage reaches every agent that synced through it
            TestPki.Cert anchor = TestPki.root("Outage Anchor");
            send(base, "POST", "/api/v1/tenants/" + tenant + "/anchors", admin,
                    Map.of("pem", CertificateEncoder.toPem(List.of(anchor.cert()))));
            send(base, "PUT", "/api/v1/tenants/" + tenant + "/device-groups/" + group, admin,
                    groupBody(List.of(anchor.sha256())));
            long version = send(base, "GET", "/api/v1/tenants/" + tenant + "/device-groups/" + group
                    + "/requirements", admin, null).get("version").asLong();
            await("every agent converged on version " + version).atMost(PATIENCE).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        for (ReferenceAgent agent : agents) {
                            AgentState state = agent.state().orElseThrow();
                            assertThat(state.lastVersion()).as("agent %s", state.deviceId()).isEqualTo(version);
                            assertThat(state.reportPending()).as("agent %s report pending", state.deviceId())
                                    .isFalse();
                            assertThat(state.installed()).contains(anchor.sha256());
                        }
                    });
            agentLoop.close();
            load.close();

            // --- the service answered everything, boundedly, and only as documented
            List<Exchange> all = load.exchanges();
            assertThat(service.pid()).isEqualTo(pid);
            assertThat(all.stream().filter(x -> !x.answered()).toList()).as("requests without an answer").isEmpty();
            assertThat(all.stream().map(Exchange::status).distinct().toList()).as("statuses")
                    .allSatisfy(s -> assertThat(s).isIn(200, 304, 202, 503));
            List<Exchange> unavailable = load.exchanges(x -> x.status() == 503);
            for (Exchange x : unavailable) {
                assertUnavailable(x.operation().equals("report") ? "POST" : "GET", x.operation().equals("report")
                        ? "/api/v1/device/reports" : "/api/v1/device/payload", x.status(), x.contentType(),
                        x.retryAfter(), x.body());
            }
            assertThat(agentLoop.unexpected()).as("agent failures other than the outage's 503").isEmpty();

            // --- the database holds each device once, with the last report it was told was accepted
            Map<UUID, Long> stored = DeviceLoad.storedReports(db.jdbcUrl(), EmbeddedDatabase.USER, db.password(),
                    UUID.fromString(tenant));
            assertThat(stored).hasSize(DEVICES + AGENTS);
            assertThat(load.mismatches(stored)).isEmpty();
            System.out.printf(Locale.ROOT, "DatabaseOutageIT: %d exchanges, %s; longest %s%n", all.size(),
                    all.stream().collect(Collectors.groupingBy(x -> x.operation() + " " + x.status(),
                            java.util.TreeMap::new, Collectors.counting())),
                    all.stream().map(Exchange::took).max(Duration::compareTo).orElse(Duration.ZERO));
        } finally {
            if (agentLoop != null) {
                agentLoop.close();
            }
            if (load != null) {
                load.close();
            }
            if (service != null) {
                service.close();
            }
            if (dbRunning) {
                db.close(); // last: the service is stopped first
            }
        }
    }

    /** A 503 problem of type unavailable with a whole-seconds Retry-After, as openapi.yaml documents it. */
    private static void assertUnavailable(String method, String path, int status, String contentType,
            String retryAfter, String body) throws Exception {
        assertThat(status).as("%s %s: %s", method, path, body).isEqualTo(503);
        assertThat(contentType).startsWith("application/problem+json");
        assertThat(retryAfter).as("Retry-After").isNotNull().matches("[1-9][0-9]*");
        JsonNode problem = JSON.readTree(body);
        assertThat(problem.path("type").asText()).isEqualTo("urn:trustfleet:problem:unavailable");
        assertThat(problem.path("detail").asText()).doesNotContain("SQL", "Exception", "localhost");
        ValidationReport report = CONTRACT.validateResponse(path, Request.Method.valueOf(method),
                SimpleResponse.Builder.status(status).withContentType(contentType).withHeader("Retry-After",
                        retryAfter).withBody(body).build());
        assertThat(report.getMessages()).as("%s %s 503 against openapi.yaml", method, path).isEmpty();
    }

    private static long acceptedDevices(DeviceLoad load, Instant since) {
        return load.exchanges(x -> x.status() == 202 && x.started().isAfter(since)).stream()
                .map(Exchange::device).distinct().count();
    }

    /** The reference agents syncing in a loop of their own; an agent that cannot sync retries on its next turn. */
    private static final class AgentLoop implements AutoCloseable {
        private final List<ReferenceAgent> agents;
        private final Thread thread;
        private volatile boolean running = true;
        private final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        private final List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());

        AgentLoop(List<ReferenceAgent> agents) {
            this.agents = agents;
            this.thread = new Thread(this::run, "agents");
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            Instant deadline = Instant.now().plus(Duration.ofMinutes(12));
            while (running && Instant.now().isBefore(deadline)) {
                for (ReferenceAgent agent : agents) {
                    try {
                        agent.sync();
                    } catch (AgentException e) {
                        failures.incrementAndGet();
                        if (e.httpStatus().orElse(0) != 503) {
                            unexpected.add(e.getMessage());
                        }
                    } catch (RuntimeException e) {
                        unexpected.add(e.toString());
                    }
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        int failures() {
            return failures.get();
        }

        List<String> unexpected() {
            return List.copyOf(unexpected);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(Duration.ofMinutes(2).toMillis());
        }
    }

    private static Map<String, Object> groupBody(List<String> include) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "outage-devices");
        body.put("minApiLevel", 90);
        body.put("maxApiLevel", 99);
        body.put("include", include);
        return body;
    }

    private static Map<String, String> settings(EmbeddedDatabase db) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("quarkus.datasource.jdbc.url", db.jdbcUrl());
        settings.put("quarkus.datasource.username", EmbeddedDatabase.USER);
        settings.put("quarkus.datasource.password", db.password());
        settings.put("trustfleet.operator-token", OPERATOR);
        return settings;
    }

    private static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(DeviceLoad.REQUEST_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static JsonNode send(String base, String method, String path, String token, Object body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(DeviceLoad.REQUEST_TIMEOUT).header("Authorization", "Bearer " + token);
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode() / 100).as("%s %s: %s", method, path, response.body()).isEqualTo(2);
        return JSON.readTree(response.body());
    }

    private static String field(JsonNode node, String name) {
        return node.get(name).asText();
    }
}
