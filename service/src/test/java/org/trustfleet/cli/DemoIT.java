package org.trustfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar quarkus-run.jar demo} as a newcomer runs it, in an empty directory: the API comes to show every
 * field report's outcome, and SIGTERM leaves no process behind (neither the JVM nor the PostgreSQL it started). The
 * wait is bounded only against a hang (a quiet machine shows the outcome in well under a minute; a CI machine
 * running other builds beside this one has taken 80 s just to start the JVM and PostgreSQL).
 */
class DemoIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Only a hung demo reaches this. */
    private static final Duration OUTCOME_BOUND = Duration.ofMinutes(10);
    private static final Pattern KEY = Pattern.compile("^\\s+(tfk_\\S+)$", Pattern.MULTILINE);
    private static final Pattern TENANT = Pattern.compile("\\(http://127\\.0\\.0\\.1:\\d+(/api/v1/tenants/[0-9a-f-]+)\\)");

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void showsEveryFieldReportsOutcomeAndStopsEverythingOnSigterm() throws Exception {
        Path workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "it-demo-");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String jar = Path.of(System.getProperty("trustfleet.test.app-jar", "target/quarkus-app/quarkus-run.jar"))
                .toAbsolutePath().toString();
        Path log = workDir.resolve("demo.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", jar, "demo").directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        builder.environment().remove("TRUSTFLEET_DATA_DIR");
        Process demo = builder.start();
        Instant started = Instant.now();
        String base = "http://127.0.0.1:" + port;
        try {
            Outcome outcome = awaitOutcome(demo, log, base, started.plus(OUTCOME_BOUND));

            // the demo's own data directory, never ./data
            assertThat(workDir.resolve("demo-data").resolve(DemoCommand.MARKER)).exists();
            assertThat(workDir.resolve("data")).doesNotExist();

            // fixable: delivered to the devices, which are COMPLIANT
            assertThat(outcome.deviceStates()).containsExactlyInAnyOrderEntriesOf(
                    Map.of("demo-android-8", "COMPLIANT", "demo-android-14", "COMPLIANT"));
            assertThat(outcome.reasons("Android 7-9")).containsExactlyInAnyOrder(
                    "Contoso Enterprise Root CA (on-premises AD FS)=PRIVATE_ANCHOR",
                    "Demo New Root CA=UNTRUSTED_ROOT", "Demo Public TLS CA=MISSING_INTERMEDIATE");
            assertThat(outcome.reasons("Android 12-16")).containsExactlyInAnyOrder(
                    "Contoso Enterprise Root CA (on-premises AD FS)=PRIVATE_ANCHOR",
                    "Demo Public TLS CA=MISSING_INTERMEDIATE");
            assertThat(outcome.adviceCodes("Android 7-9")).contains("SEND_INTERMEDIATE");

            // not fixable on the device: both 003 hosts, with their reason
            for (String group : List.of("Android 7-9", "Android 12-16")) {
                assertThat(outcome.unresolved(group)).containsExactlyInAnyOrder(
                        "signin-blocked.contoso.example=ENDPOINT_UNREACHABLE",
                        "signin-silent.contoso.example=ENDPOINT_UNREACHABLE");
            }
            assertThat(outcome.latestScan("signin-blocked.contoso.example").path("status").asText())
                    .isEqualTo("CONNECT_REFUSED");
            assertThat(outcome.latestScan("signin-silent.contoso.example").path("status").asText())
                    .isEqualTo("HANDSHAKE_FAILED");
            JsonNode mail = outcome.latestScan("mail.contoso.example");
            assertThat(codes(mail.path("findings"))).contains("MISSING_INTERMEDIATE");
            assertThat(mail.path("presented")).hasSize(1);
            assertThat(mail.path("completedPath")).hasSize(3);
            // the first scan completed the chain through the demo's AIA server (later ones know the intermediate)
            JsonNode mailScans = get(base + outcome.tenantPath() + "/endpoints/"
                    + outcome.endpointId("mail.contoso.example") + "/scans", outcome.key());
            List<String> mailFindings = new ArrayList<>();
            mailScans.forEach(scan -> mailFindings.addAll(codes(scan.path("findings"))));
            assertThat(mailFindings).contains("AIA_FETCHED");

            // 004: every Android version accepts the chain, nothing to deliver, not a failing endpoint
            JsonNode portal = outcome.latestScan("portal.contoso.example");
            assertThat(portal.path("status").asText()).isEqualTo("OK");
            assertThat(portal.path("perApiLevel")).isNotEmpty()
                    .allSatisfy(level -> assertThat(level.path("trusted").asBoolean()).isTrue());
            assertThat(portal.path("findings")).isEmpty();
            assertThat(outcome.failingEndpointNames()).doesNotContain("portal.contoso.example")
                    .contains("sts.contoso.example", "login.contoso.example", "mail.contoso.example",
                            "signin-blocked.contoso.example", "signin-silent.contoso.example");
            // login: the new root is trusted from API 31 only
            JsonNode login = outcome.latestScan("login.contoso.example");
            for (JsonNode level : login.path("perApiLevel")) {
                assertThat(level.path("trusted").asBoolean()).as("API %s", level.path("apiLevel"))
                        .isEqualTo(level.path("apiLevel").asInt() >= DemoScenario.NEW_ROOT_FROM_API);
            }
        } finally {
            List<ProcessHandle> database = processesUnder(workDir);
            demo.destroy(); // SIGTERM, as Ctrl-C or a service manager
            boolean exited = demo.waitFor(120, TimeUnit.SECONDS); // a bound against a hang, not a speed test
            if (!exited) {
                demo.descendants().forEach(ProcessHandle::destroyForcibly);
                demo.destroyForcibly();
            }
            assertThat(database).as("the demo's PostgreSQL runs in its data directory").isNotEmpty();
            assertThat(exited).as("the demo exits on SIGTERM").isTrue();
            Instant deadline = Instant.now().plusSeconds(60);
            while (!processesUnder(workDir).isEmpty() && Instant.now().isBefore(deadline)) {
                Thread.sleep(200);
            }
            assertThat(processesUnder(workDir)).as("processes left behind").isEmpty();
            assertThat(database).noneMatch(ProcessHandle::isAlive);
            assertThat(Files.readString(log, StandardCharsets.UTF_8)).contains("stopped in");
        }
    }

    /** Every live process whose command line names {@code dir} (the PostgreSQL server and its workers). */
    private static List<ProcessHandle> processesUnder(Path dir) {
        String name = dir.toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(line -> line.contains(name)).orElse(false)
                        || p.info().arguments().map(args -> String.join(" ", args).contains(name)).orElse(false))
                .toList();
    }

    private Outcome awaitOutcome(Process demo, Path log, String base, Instant deadline) throws Exception {
        AssertionError last = null;
        while (Instant.now().isBefore(deadline)) {
            assertThat(demo.isAlive()).as("demo running; log:\n%s", readQuietly(log)).isTrue();
            String printed = readQuietly(log);
            Matcher key = KEY.matcher(printed);
            Matcher tenant = TENANT.matcher(printed);
            if (key.find() && tenant.find()) {
                try {
                    Outcome outcome = read(base, tenant.group(1), key.group(1));
                    if (outcome.complete()) {
                        return outcome;
                    }
                } catch (IOException notYet) {
                    last = new AssertionError(notYet);
                }
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("no complete demo outcome within " + OUTCOME_BOUND + "; log:\n" + readQuietly(log),
                last);
    }

    private static String readQuietly(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private Outcome read(String base, String tenantPath, String key) throws Exception {
        Map<String, String> endpointNames = new HashMap<>();
        Map<String, JsonNode> scans = new HashMap<>();
        for (JsonNode endpoint : get(base + tenantPath + "/endpoints", key)) {
            String serverName = endpoint.path("serverName").asText();
            endpointNames.put(endpoint.path("id").asText(), serverName);
            JsonNode latest = get(base + tenantPath + "/endpoints/" + endpoint.path("id").asText()
                    + "/scans/latest", key);
            scans.put(serverName, latest);
        }
        Map<String, JsonNode> requirements = new HashMap<>();
        for (JsonNode group : get(base + tenantPath + "/device-groups", key)) {
            requirements.put(group.path("name").asText(), get(base + tenantPath + "/device-groups/"
                    + group.path("id").asText() + "/requirements", key));
        }
        Map<String, String> devices = new HashMap<>();
        for (JsonNode device : get(base + tenantPath + "/devices", key)) {
            devices.put(device.path("hardwareId").asText(), device.path("compliance").path("state").asText());
        }
        JsonNode drift = get(base + tenantPath + "/drift-report", key);
        return new Outcome(tenantPath, key, endpointNames, scans, requirements, devices, drift);
    }

    private JsonNode get(String url, String key) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + key).header("Accept", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(url + " answered " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }

    private static Set<String> codes(JsonNode items) {
        Set<String> codes = new TreeSet<>();
        items.forEach(item -> codes.add(item.path("code").asText()));
        return codes;
    }

    /** What the API shows, read in one pass. */
    private record Outcome(String tenantPath, String key, Map<String, String> endpointNames, Map<String, JsonNode> scans,
            Map<String, JsonNode> requirements, Map<String, String> deviceStates, JsonNode drift) {

        boolean complete() {
            return scans.size() == 6 && requirements.size() == 2 && deviceStates.size() == 2
                    && deviceStates.values().stream().allMatch("COMPLIANT"::equals)
                    && requirements.values().stream().allMatch(r -> r.path("unresolved").size() == 2);
        }

        String endpointId(String serverName) {
            return endpointNames.entrySet().stream().filter(e -> e.getValue().equals(serverName)).findFirst()
                    .orElseThrow().getKey();
        }

        JsonNode latestScan(String serverName) {
            return scans.get(serverName);
        }

        List<String> reasons(String group) {
            List<String> reasons = new ArrayList<>();
            for (JsonNode certificate : requirements.get(group).path("certificates")) {
                String cn = certificate.path("subject").asText().replaceFirst("^CN=", "").replaceFirst(",O=.*$", "");
                certificate.path("reasons").forEach(reason -> reasons.add(cn + "=" + reason.path("code").asText()));
            }
            return reasons;
        }

        Set<String> adviceCodes(String group) {
            return codes(requirements.get(group).path("advice"));
        }

        List<String> unresolved(String group) {
            List<String> unresolved = new ArrayList<>();
            for (JsonNode item : requirements.get(group).path("unresolved")) {
                unresolved.add(endpointNames.get(item.path("endpointId").asText()) + "="
                        + item.path("code").asText());
            }
            return unresolved;
        }

        List<String> failingEndpointNames() {
            List<String> names = new ArrayList<>();
            drift.path("failingEndpoints").forEach(e -> names.add(endpointNames.get(e.path("endpointId").asText())));
            return names;
        }
    }
}
