package org.trustfleet.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.TestPki;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ServiceProcess;

/**
 * The packaged service, started the way the README says, on its embedded default: data created through the API
 * survives a restart with the same data directory, the generated operator token is private to its owner, and a
 * restarted service has read its live devices' credentials before they ask (the device-token preload).
 */
class RestartPersistenceIT {

    @Test
    void tenantSurvivesRestartOnEmbeddedDatabase() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "it-restart-");
        String name = "Persisted " + UUID.randomUUID();
        String token;
        try (ServiceProcess service = ServiceProcess.start(dataDir)) {
            Path tokenFile = dataDir.resolve("operator-token");
            assertThat(tokenFile).exists();
            assertThat(Files.getPosixFilePermissions(tokenFile))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            token = Files.readString(tokenFile).strip();
            assertThat(service.log()).doesNotContain(token).contains(tokenFile.getFileName().toString());
            HttpResponse<String> created = send(service, "POST", "/api/v1/tenants", token,
                    "{\"name\":\"" + name + "\"}");
            assertThat(created.statusCode()).isEqualTo(201);
        }
        try (ServiceProcess service = ServiceProcess.start(dataDir)) {
            HttpResponse<String> listed = send(service, "GET", "/api/v1/tenants", token, null);
            assertThat(listed.statusCode()).isEqualTo(200);
            assertThat(listed.body()).contains(name);
            assertThat(service.log()).doesNotContain(token);
        }
    }

    @Test
    void aServiceKilledWithKill9StartsAgainOnItsData() throws Exception {
        // pg_ctl starts PostgreSQL detached: it outlives a killed JVM and held postmaster.pid against the next start
        Path dataDir = Files.createTempDirectory(Path.of("target"), "it-kill9-");
        String name = "Survives kill -9 " + UUID.randomUUID();
        String token;
        long orphan;
        ServiceProcess killed = ServiceProcess.start(dataDir);
        try {
            token = Files.readString(dataDir.resolve("operator-token")).strip();
            assertThat(send(killed, "POST", "/api/v1/tenants", token, "{\"name\":\"" + name + "\"}").statusCode())
                    .isEqualTo(201);
        } finally {
            killed.kill();
        }
        orphan = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid")).get(0)
                .strip());
        assertThat(ProcessHandle.of(orphan).filter(ProcessHandle::isAlive)).as("PostgreSQL outlived the JVM")
                .isPresent();
        try (ServiceProcess restarted = ServiceProcess.start(dataDir)) {
            HttpResponse<String> listed = send(restarted, "GET", "/api/v1/tenants", token, null);
            assertThat(listed.statusCode()).isEqualTo(200);
            assertThat(listed.body()).contains(name);
            assertThat(restarted.log()).contains("left running on");
        }
        assertThat(ProcessHandle.of(orphan).filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void rotatingTheConfiguredOperatorTokenRetiresTheOldOne() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "it-rotate-");
        String first = "tfo_first-" + UUID.randomUUID();
        String second = "tfo_second-" + UUID.randomUUID();
        try (ServiceProcess service = ServiceProcess.start(dataDir, Map.of("trustfleet.operator-token",
                first))) {
            assertThat(send(service, "GET", "/api/v1/tenants", first, null).statusCode()).isEqualTo(200);
            assertThat(dataDir.resolve("operator-token")).doesNotExist();
        }
        try (ServiceProcess service = ServiceProcess.start(dataDir, Map.of("trustfleet.operator-token",
                second))) {
            assertThat(send(service, "GET", "/api/v1/tenants", second, null).statusCode()).isEqualTo(200);
            assertThat(send(service, "GET", "/api/v1/tenants", first, null).statusCode()).isEqualTo(401);
        }
        // a replica that still starts with the old token must not lock the operator out
        try (ServiceProcess stale = ServiceProcess.start(dataDir, Map.of("trustfleet.operator-token",
                first))) {
            assertThat(send(stale, "GET", "/api/v1/tenants", second, null).statusCode()).isEqualTo(200);
            assertThat(send(stale, "GET", "/api/v1/tenants", first, null).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void aRestartedServiceHoldsItsDevicesCredentialsBeforeTheirFirstRequest() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "it-preload-");
        String operator = "tfo_preload-" + UUID.randomUUID();
        Map<String, String> settings = Map.of("trustfleet.operator-token", operator);
        List<String> tokens = new ArrayList<>();
        try (ServiceProcess service = ServiceProcess.start(dataDir, settings)) {
            String tenant = field(send(service, "POST", "/api/v1/tenants", operator, "{\"name\":\"preload\"}"), "id");
            String admin = field(send(service, "POST", "/api/v1/tenants/" + tenant + "/api-keys", operator,
                    "{\"name\":\"admin\",\"role\":\"admin\"}"), "token");
            String group = field(send(service, "POST", "/api/v1/tenants/" + tenant + "/device-groups", admin,
                    "{\"name\":\"preload\",\"minApiLevel\":90,\"maxApiLevel\":99}"), "id");
            String enrollment = field(send(service, "POST", "/api/v1/tenants/" + tenant + "/enrollment-tokens",
                    admin, "{\"deviceGroupId\":\"" + group + "\",\"expiresInSeconds\":3600,\"maxUses\":3}"),
                    "token");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> enrolled = send(service, "POST", "/api/v1/enroll", null,
                        "{\"enrollmentToken\":\"" + enrollment + "\",\"hardwareId\":\"preload-" + i
                                + "\",\"apiLevel\":95}");
                ids.add(field(enrolled, "deviceId"));
                tokens.add(field(enrolled, "deviceToken"));
            }
            assertThat(send(service, "DELETE", "/api/v1/tenants/" + tenant + "/devices/" + ids.get(0), admin, null)
                    .statusCode()).isEqualTo(204);
        }
        try (ServiceProcess service = ServiceProcess.start(dataDir, settings)) {
            // the two live devices' credentials are read at start, before any device asks; the revoked one's not
            await("the preload").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                    .until(() -> service.log().contains("Preloaded the credentials of 2 devices"));
            HttpResponse<String> metrics = send(service, "GET", "/q/metrics", null, null);
            assertThat(metrics.body()).containsPattern("cache_size\\{cache=\"device-tokens\"[^}]*} 2\\.0\n");
            assertThat(send(service, "GET", "/api/v1/device/payload", tokens.get(0), null).statusCode())
                    .isEqualTo(401);
            for (String token : tokens.subList(1, 3)) {
                assertThat(send(service, "GET", "/api/v1/device/payload", token, null).statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void aStoppingServiceWritesItsLastSignatureVerdictsBeforeItsDatabaseStops() throws Exception {
        Path dataDir = Files.createTempDirectory(Path.of("target"), "it-verdicts-");
        String operator = "tfo_verdicts-" + UUID.randomUUID();
        // no scheduled write: the verdicts of the scan are written only when the service stops
        Map<String, String> settings = Map.of("trustfleet.operator-token", operator,
                "trustfleet.cache.signature-verdicts-write-interval", "1h",
                "trustfleet.scanner.allow-private-addresses", "true");
        TestPki.Cert root = TestPki.root("Stop Verdicts Root");
        TestPki.Cert issuer = root.issueIntermediate("Stop Verdicts Int");
        TestPki.Cert leaf = issuer.issueLeaf("stop-verdicts.example.test");
        ServiceProcess first = null;
        try (TestTlsServer server = TestTlsServer.tls(TestPki.certs(leaf, issuer, root), leaf.keyPair().getPrivate());
                ServiceProcess service = ServiceProcess.start(dataDir, settings)) {
            first = service;
            String tenant = field(send(service, "POST", "/api/v1/tenants", operator, "{\"name\":\"verdicts\"}"), "id");
            String admin = field(send(service, "POST", "/api/v1/tenants/" + tenant + "/api-keys", operator,
                    "{\"name\":\"admin\",\"role\":\"admin\"}"), "token");
            String endpoint = field(send(service, "POST", "/api/v1/tenants/" + tenant + "/endpoints", admin,
                    "{\"name\":\"sts\",\"host\":\"127.0.0.1\",\"port\":" + server.port()
                            + ",\"serverName\":\"stop-verdicts.example.test\"}"), "id");
            assertThat(send(service, "POST", "/api/v1/tenants/" + tenant + "/endpoints/" + endpoint + "/scans", admin,
                    null).statusCode()).isEqualTo(201);
        }
        assertThat(first.log()).as("the log of the stop").doesNotContain("signature verdicts failed");
        try (ServiceProcess service = ServiceProcess.start(dataDir, settings)) {
            // the scan's checks (its leaf's signature among them), written at the stop, read back at the start
            await("the verdicts read").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                    .until(() -> service.log().matches("(?s).*Read [1-9][0-9]* kept signature verdicts.*"));
        }
    }

    private static String field(HttpResponse<String> response, String name) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return new ObjectMapper().readTree(response.body()).get(name).asText();
    }

    static HttpResponse<String> send(ServiceProcess service, String method, String path, String token, String json)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.baseUrl() + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (json != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
