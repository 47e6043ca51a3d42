package org.trustfleet.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.trustfleet.testing.ServiceProcess;

/**
 * A report answered 202 is durable: devices report continuously to the packaged service (batched group commits),
 * the service and its embedded PostgreSQL are killed with SIGKILL while reports are in flight, and after a restart on
 * the same data directory every device holds a report at least as new as the last one it was answered 202 for.
 * (A report in flight at the kill may or may not be stored; one that was acknowledged must be.)
 */
class ReportDurabilityIT {
    private static final String OPERATOR = "tfo_report-durability-it-operator";
    private static final int DEVICES = 16;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void everyAcknowledgedReportSurvivesKillMinus9() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "it-report-durability-");
        Map<String, String> settings = Map.of("trustfleet.operator-token", OPERATOR);
        List<String> ids = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        AtomicLongArray acknowledged = new AtomicLongArray(DEVICES);
        AtomicLong acks = new AtomicLong();
        AtomicBoolean killed = new AtomicBoolean();
        String tenant;
        String admin;
        ExecutorService pool = Executors.newFixedThreadPool(DEVICES);
        try (ServiceProcess service = ServiceProcess.start(dataDir, settings)) {
            String base = service.baseUrl();
            tenant = send(base, "POST", "/api/v1/tenants", OPERATOR, Map.of("name", "durability")).get("id")
                    .asText();
            admin = send(base, "POST", "/api/v1/tenants/" + tenant + "/api-keys", OPERATOR,
                    Map.of("name", "admin", "role", "admin")).get("token").asText();
            String group = send(base, "POST", "/api/v1/tenants/" + tenant + "/device-groups", admin,
                    Map.of("name", "durability", "minApiLevel", 90, "maxApiLevel", 99)).get("id").asText();
            String enrollment = send(base, "POST", "/api/v1/tenants/" + tenant + "/enrollment-tokens", admin,
                    Map.of("deviceGroupId", group, "expiresInSeconds", 3600, "maxUses", DEVICES)).get("token")
                    .asText();
            for (int i = 0; i < DEVICES; i++) {
                JsonNode device = send(base, "POST", "/api/v1/enroll", null, Map.of("enrollmentToken", enrollment,
                        "hardwareId", "durability-" + i, "apiLevel", 95));
                ids.add(device.get("deviceId").asText());
                tokens.add(device.get("deviceToken").asText());
            }
            for (int i = 0; i < DEVICES; i++) {
                int device = i;
                pool.submit(() -> {
                    // each device reports versions 1, 2, 3, ... one after another, until the service is gone
                    for (long version = 1; !killed.get(); version++) {
                        try {
                            HttpResponse<String> r = post(base, tokens.get(device), version);
                            if (r.statusCode() == 202) {
                                acknowledged.set(device, version);
                                acks.incrementAndGet();
                            }
                        } catch (Exception e) {
                            return; // the service was killed under this request
                        }
                    }
                });
            }
            await("reports acknowledged").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(20))
                    .until(() -> acks.get() >= 20L * DEVICES);
            // SIGKILL to the service and to its PostgreSQL (pg_ctl detaches the server, so it is not a child of the
            // service process): what a crashed machine leaves, with reports still in flight
            ProcessHandle postmaster = postmaster(dataDir);
            List<ProcessHandle> backends = postmaster.descendants().toList();
            service.kill();
            postmaster.destroyForcibly();
            backends.forEach(ProcessHandle::destroyForcibly);
            killed.set(true);
            postmaster.onExit().get(1, java.util.concurrent.TimeUnit.MINUTES);
            for (ProcessHandle backend : backends) {
                backend.onExit().get(1, java.util.concurrent.TimeUnit.MINUTES);
            }
        } finally {
            killed.set(true);
            pool.shutdown();
            pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
        }

        try (ServiceProcess service = ServiceProcess.start(dataDir, settings)) {
            JsonNode devices = send(service.baseUrl(), "GET", "/api/v1/tenants/" + tenant + "/devices?limit=1000",
                    admin, null);
            Map<String, Long> stored = new HashMap<>();
            for (JsonNode d : devices) {
                JsonNode v = d.get("compliance").get("reportedVersion");
                stored.put(d.get("id").asText(), v == null || v.isNull() ? 0L : v.asLong());
            }
            assertThat(stored).hasSize(DEVICES);
            for (int i = 0; i < DEVICES; i++) {
                assertThat(stored.get(ids.get(i))).as("device %d: stored version vs last acknowledged", i)
                        .isGreaterThanOrEqualTo(acknowledged.get(i));
            }
        }
    }

    /** The embedded PostgreSQL server of the service's data directory (first line of its postmaster.pid). */
    private static ProcessHandle postmaster(Path dataDir) throws Exception {
        long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid")).get(0)
                .strip());
        return ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no PostgreSQL process " + pid));
    }

    private static HttpResponse<String> post(String base, String token, long version) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/device/reports"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("payloadVersion", version,
                        "installed", List.of(), "apiLevel", 95)))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode send(String base, String method, String path, String token, Object body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isBetween(200, 299);
        return JSON.readTree(r.body());
    }
}
