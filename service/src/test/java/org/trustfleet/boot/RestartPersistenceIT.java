package org.trustfleet.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.trustfleet.testing.ServiceProcess;

/**
 * The packaged service, started the way the README says, on its embedded default: data created through the API
 * survives a restart with the same data directory, and the generated operator token is private to its owner.
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
        try (ServiceProcess service = ServiceProcess.start(dataDir, java.util.Map.of("trustfleet.operator-token",
                first))) {
            assertThat(send(service, "GET", "/api/v1/tenants", first, null).statusCode()).isEqualTo(200);
            assertThat(dataDir.resolve("operator-token")).doesNotExist();
        }
        try (ServiceProcess service = ServiceProcess.start(dataDir, java.util.Map.of("trustfleet.operator-token",
                second))) {
            assertThat(send(service, "GET", "/api/v1/tenants", second, null).statusCode()).isEqualTo(200);
            assertThat(send(service, "GET", "/api/v1/tenants", first, null).statusCode()).isEqualTo(401);
        }
        // a replica that still starts with the old token must not lock the operator out
        try (ServiceProcess stale = ServiceProcess.start(dataDir, java.util.Map.of("trustfleet.operator-token",
                first))) {
            assertThat(send(stale, "GET", "/api/v1/tenants", second, null).statusCode()).isEqualTo(200);
            assertThat(send(stale, "GET", "/api/v1/tenants", first, null).statusCode()).isEqualTo(401);
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
