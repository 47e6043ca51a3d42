package org.trustfleet.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.trustfleet.testing.ServiceProcess;

/**
 * The packaged service is killed ({@code kill -9}) while an alert is on its way: the event was committed with its
 * cause and the receiver holds the first request without answering. After a restart on the same data directory the
 * alert is sent again with the same idempotency key, and the receiver accepts exactly one request per key.
 */
class AlertDeliveryIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aKilledReplicaLosesNoAlertAndTheKeyStaysTheSame() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "it-alerts-");
        List<String> acceptedKeys = new CopyOnWriteArrayList<>();
        List<String> seenKeys = new CopyOnWriteArrayList<>();
        Map<String, Boolean> held = new ConcurrentHashMap<>();
        CountDownLatch firstArrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.setExecutor(Executors.newFixedThreadPool(4));
        receiver.createContext("/hook", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            seenKeys.add(key);
            if (held.putIfAbsent("first", true) == null) {
                // hold the first request: the service dies before it hears an answer
                firstArrived.countDown();
                try {
                    release.await(120, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.close();
                return;
            }
            JsonNode event = JSON.readTree(body);
            assertThat(event.get("id").asText()).isEqualTo(key);
            if (!acceptedKeys.contains(key)) {
                acceptedKeys.add(key);
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        Map<String, String> settings = Map.of(
                "trustfleet.scanner.allow-private-addresses", "true",
                "trustfleet.operator-token", "tfo_alerts-it",
                "trustfleet.alerts.unreachable-after", "1",
                "trustfleet.alerts.send-timeout", "2s",
                "trustfleet.alerts.poll-interval", "500ms",
                "trustfleet.alerts.retry-initial", "1s");
        String tenant;
        String admin;
        String eventKey;
        try {
            try (ServiceProcess service = ServiceProcess.start(dataDir, settings)) {
                tenant = JSON.readTree(send(service, "POST", "/api/v1/tenants", "tfo_alerts-it",
                        "{\"name\":\"alerts-it\"}").body()).get("id").asText();
                admin = JSON.readTree(send(service, "POST", "/api/v1/tenants/" + tenant + "/api-keys",
                        "tfo_alerts-it", "{\"name\":\"admin\",\"role\":\"admin\"}").body()).get("token").asText();
                String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
                assertThat(send(service, "POST", "/api/v1/tenants/" + tenant + "/alert-channels", admin,
                        "{\"name\":\"it\",\"kind\":\"WEBHOOK\",\"url\":\"" + url + "\"}").statusCode()).isEqualTo(201);
                String endpoint = JSON.readTree(send(service, "POST", "/api/v1/tenants/" + tenant + "/endpoints", admin,
                        "{\"name\":\"down\",\"host\":\"127.0.0.1\",\"port\":" + closedPort() + "}").body())
                        .get("id").asText();
                // the cause: a failed scan, which raises ENDPOINT_UNREACHABLE (K = 1) in its transaction
                assertThat(send(service, "POST", "/api/v1/tenants/" + tenant + "/endpoints/" + endpoint + "/scans",
                        admin, null).statusCode()).isEqualTo(201);
                assertThat(firstArrived.await(60, TimeUnit.SECONDS)).isTrue();
                eventKey = seenKeys.get(0);
                service.kill();
                // a crashed machine takes the embedded PostgreSQL with it: pg_ctl started it detached, so it is
                // killed here too (by the pid in its lock file) and waited for
                long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid"))
                        .get(0).strip());
                java.util.Optional<ProcessHandle> database = ProcessHandle.of(postmaster);
                if (database.isPresent()) {
                    database.get().descendants().forEach(ProcessHandle::destroyForcibly);
                    database.get().destroyForcibly();
                    database.get().onExit().get(30, TimeUnit.SECONDS);
                }
            }
            release.countDown();
            assertThat(acceptedKeys).isEmpty();
            try (ServiceProcess service = ServiceProcess.start(dataDir, settings)) {
                // the lease of the killed attempt ends (3 x send timeout + 30 s), then the same event is sent again
                Instant deadline = Instant.now().plus(Duration.ofSeconds(150));
                while (acceptedKeys.isEmpty() && Instant.now().isBefore(deadline)) {
                    Thread.sleep(500);
                }
                assertThat(acceptedKeys).containsExactly(eventKey);
                JsonNode log = JSON.readTree(send(service, "GET", "/api/v1/tenants/" + tenant + "/alert-deliveries",
                        admin, null).body());
                assertThat(log).hasSize(1);
                assertThat(log.get(0).get("eventId").asText()).isEqualTo(eventKey);
                assertThat(log.get(0).get("eventType").asText()).isEqualTo("ENDPOINT_UNREACHABLE");
                Instant until = Instant.now().plus(Duration.ofSeconds(20));
                while (!"DELIVERED".equals(log.get(0).get("status").asText()) && Instant.now().isBefore(until)) {
                    Thread.sleep(250);
                    log = JSON.readTree(send(service, "GET", "/api/v1/tenants/" + tenant + "/alert-deliveries",
                            admin, null).body());
                }
                assertThat(log.get(0).get("status").asText()).isEqualTo("DELIVERED");
                assertThat(log.get(0).get("attempts").asInt()).isEqualTo(2);
                // every request carried the one key; exactly one was accepted
                assertThat(seenKeys).containsOnly(eventKey).hasSize(2);
            }
        } finally {
            release.countDown();
            receiver.stop(0);
        }
    }

    static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static HttpResponse<String> send(ServiceProcess service, String method, String path, String token, String json)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
                .header("Authorization", "Bearer " + token);
        if (json != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
