package org.trustfleet.scan;

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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.trustfleet.boot.EmbeddedDatabase;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.testing.DeviceLoad;
import org.trustfleet.testing.ServiceProcess;

/**
 * Two packaged service instances on one PostgreSQL, Quartz clustered, under device load: every scheduled firing of
 * every endpoint is scanned exactly once across both (none doubled, none skipped), and when one instance is killed
 * ({@code kill -9}) in the middle of a scheduled scan and of report ingestion, the other carries on: the firing it was
 * scanning is recorded exactly once (recovered by the survivor), later firings are scanned by the survivor, devices
 * get their reports accepted by the survivor, and every report either instance answered 202 is what the database
 * holds. Quartz promises exactly-once and failover, not an even spread, so which instance runs a firing is not
 * asserted; the instance killed is the one found running a scan of the slow endpoint (a silent server, so a scan
 * takes one handshake timeout), whichever it is.
 *
 * <p>One {@code scanIntervalMinutes} unit is shortened to 2 s, so an endpoint with interval 1 fires every 2 s. The
 * test waits for conditions (awaitility) rather than for fixed times, so a busy machine makes it slower, not red.
 */
class ScanSchedulingIT {
    private static final String OPERATOR = "tfo_scheduling-it-operator-token";
    private static final String HOST = "sts.scheduling.test";
    private static final Duration INTERVAL = Duration.ofSeconds(2);
    private static final Duration FIRST_SCAN_DELAY = Duration.ofSeconds(1);
    /** Firings each endpoint must have scanned while both instances were up, and again after one was killed. */
    private static final int SHARED_FIRINGS = 5;
    private static final int FAILOVER_FIRINGS = 3;
    /** Generous: on two shared, busy cores a round can lag, and failure detection alone takes ~13 s. */
    private static final Duration PATIENCE = Duration.ofMinutes(3);
    /**
     * The scanner's handshake timeout here: a silent server's scan lasts this long, and a live loopback server must
     * finish its handshake within it however busy the machine is (2 s was not enough beside another build).
     */
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(6);
    /** The slow endpoint's interval in units: longer than its scan (one handshake timeout). */
    private static final int SLOW_INTERVAL_UNITS = 5;
    private static final int DEVICES = 12;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One row of the scan table, as the IT reads it directly. */
    record Row(UUID endpoint, String trigger, Instant scheduledFor, Instant startedAt, String instance) {}

    /**
     * An endpoint, the moments just before and after the API created it (its first firing falls in between) and the
     * interval of its firings.
     */
    record Created(UUID id, Instant before, Instant after, Duration interval) {}

    @Test
    void scheduledScansRunOnceAcrossInstancesAndSurviveAKilledInstance() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target"), "it-scheduling-");
        Cert root = TestPki.root("Scheduling Root");
        Cert intermediate = root.issueIntermediate("Scheduling CA");
        List<TestTlsServer> servers = new ArrayList<>();
        TestTlsServer silent = TestTlsServer.silent();
        DeviceLoad load = null;
        ServiceProcess a = null;
        ServiceProcess b = null;
        CompletableFuture<ServiceProcess> startingB = null;
        EmbeddedDatabase db = EmbeddedDatabase.start(work.resolve("pg"), 0, true);
        try {
            for (int i = 0; i < 3; i++) {
                Cert leaf = intermediate.issueLeaf(HOST);
                servers.add(TestTlsServer.tls(TestPki.certs(leaf, intermediate), leaf.keyPair().getPrivate()));
            }
            a = ServiceProcess.start(work.resolve("data-a"), settings(db, "it-a"));
            // B boots (and joins the Quartz cluster) while the endpoints are created through A
            startingB = CompletableFuture.supplyAsync(() -> {
                try {
                    return ServiceProcess.start(work.resolve("data-b"), settings(db, "it-b"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            String tenant = field(send(a, "POST", "/api/v1/tenants", OPERATOR,
                    Map.of("name", "scheduling-" + UUID.randomUUID()), 201), "id");
            String admin = field(send(a, "POST", "/api/v1/tenants/" + tenant + "/api-keys", OPERATOR,
                    Map.of("name", "it admin", "role", "admin"), 201), "token");
            List<Created> endpoints = new ArrayList<>();
            for (TestTlsServer server : servers) {
                Instant before = Instant.now();
                UUID id = UUID.fromString(field(send(a, "POST", "/api/v1/tenants/" + tenant + "/endpoints",
                        admin, Map.of("name", "sts-" + server.port(), "host", "127.0.0.1", "port", server.port(),
                                "serverName", HOST, "scanIntervalMinutes", 1), 201), "id"));
                endpoints.add(new Created(id, before, Instant.now(), INTERVAL));
            }
            Instant slowBefore = Instant.now();
            UUID slowId = UUID.fromString(field(send(a, "POST", "/api/v1/tenants/" + tenant + "/endpoints", admin,
                    Map.of("name", "silent-" + silent.port(), "host", "127.0.0.1", "port", silent.port(),
                            "serverName", HOST, "scanIntervalMinutes", SLOW_INTERVAL_UNITS), 201), "id"));
            Created slow = new Created(slowId, slowBefore, Instant.now(), INTERVAL.multipliedBy(SLOW_INTERVAL_UNITS));
            List<Created> scheduled = new ArrayList<>(endpoints);
            scheduled.add(slow);
            String group = field(send(a, "POST", "/api/v1/tenants/" + tenant + "/device-groups", admin,
                    Map.of("name", "scheduling-devices", "minApiLevel", 90, "maxApiLevel", 99), 201), "id");
            String enrollment = field(send(a, "POST", "/api/v1/tenants/" + tenant + "/enrollment-tokens", admin,
                    Map.of("deviceGroupId", group, "expiresInSeconds", 3600, "maxUses", DEVICES), 201), "token");
            b = startingB.get();
            Instant bothUp = Instant.now();
            // devices report through both instances for the rest of the test
            load = DeviceLoad.enroll(List.of(a.baseUrl(), b.baseUrl()), enrollment, DEVICES);
            load.start(2, Duration.ofMinutes(12));

            // --- phase 1: both instances up; every firing so far scanned once, none skipped
            await("every endpoint scanned " + SHARED_FIRINGS + " firings once each while both instances were up")
                    .atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                        Map<UUID, List<Row>> by = scheduledByEndpoint(rows(db), scheduled);
                        assertEveryFiringOnce(slow, by.get(slow.id()));
                        for (Created endpoint : endpoints) {
                            List<Row> scans = by.get(endpoint.id());
                            assertEveryFiringOnce(endpoint, scans);
                            assertThat(scans.stream().filter(r -> r.scheduledFor().isAfter(bothUp)))
                                    .as("firings of %s scanned since both instances were up", endpoint.id())
                                    .hasSizeGreaterThanOrEqualTo(SHARED_FIRINGS);
                        }
                    });
            Map<UUID, List<Row>> sharedBy = scheduledByEndpoint(rows(db), scheduled);
            for (Created endpoint : endpoints) {
                int recorded = sharedBy.get(endpoint.id()).size();
                // the API of either instance shows the same history
                for (ServiceProcess instance : List.of(a, b)) {
                    JsonNode history = send(instance, "GET", "/api/v1/tenants/" + tenant + "/endpoints/"
                            + endpoint.id() + "/scans?limit=200", admin, null, 200);
                    long scheduledScans = 0;
                    for (JsonNode scan : history) {
                        if ("SCHEDULED".equals(scan.get("trigger").asText())) {
                            scheduledScans++;
                        }
                        assertThat(scan.get("status").asText()).as("scan of %s", endpoint.id()).isEqualTo("OK");
                    }
                    assertThat(scheduledScans).as("history of %s through the API", endpoint.id())
                            .isGreaterThanOrEqualTo(recorded);
                }
            }

            // --- phase 2: the instance running a scan of the slow endpoint dies hard (kill -9) in the middle of it,
            // while devices are sending reports to both; the other carries on
            DeviceLoad devices = load;
            await("every device has a report accepted").atMost(PATIENCE).pollInterval(Duration.ofMillis(500))
                    .until(() -> devices.exchanges(x -> x.status() == 202).stream().map(DeviceLoad.Exchange::device)
                            .distinct().count() == DEVICES);
            Executing executing = await("a scan of the slow endpoint under way").atMost(PATIENCE)
                    .pollInterval(Duration.ofMillis(100)).until(() -> executing(db, slow.id()), e -> e != null);
            ServiceProcess victim = executing.instance().equals("it-a") ? a : b;
            ServiceProcess survivor = victim == a ? b : a;
            String survivorId = victim == a ? "it-b" : "it-a";
            // the scan lasts one handshake timeout: within the first second of it, kill the moment a report
            // is on its way to the victim too (reports take milliseconds, so this is a chance, not a promise)
            long spinUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (devices.reportsInFlight(victim.baseUrl()) == 0 && System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            }
            Instant killed = Instant.now();
            victim.kill();
            Instant afterKill = killed.plusSeconds(1); // a scan the victim committed as it died is not the survivor's
            await("the killed firing recorded, and every endpoint scanned by the survivor, no firing lost or doubled")
                    .atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                        Map<UUID, List<Row>> by = scheduledByEndpoint(rows(db), scheduled);
                        assertThat(by.get(slow.id()).stream().filter(r -> r.scheduledFor()
                                .equals(executing.scheduledFor()))).as("the firing the victim was scanning")
                                .hasSize(1);
                        assertEveryFiringOnce(slow, by.get(slow.id()));
                        for (Created endpoint : endpoints) {
                            List<Row> scans = by.get(endpoint.id());
                            assertEveryFiringOnce(endpoint, scans);
                            assertThat(scans.stream().filter(r -> r.startedAt().isAfter(afterKill)).toList())
                                    .as("scans of %s after the victim was killed", endpoint.id())
                                    .hasSizeGreaterThanOrEqualTo(FAILOVER_FIRINGS)
                                    .allSatisfy(r -> assertThat(r.instance()).isEqualTo(survivorId));
                        }
                    });
            await("every device has a report accepted by the survivor").atMost(PATIENCE)
                    .pollInterval(Duration.ofMillis(500)).until(() -> devices.exchanges(x -> x.status() == 202
                            && x.instance().equals(survivor.baseUrl()) && x.started().isAfter(killed)).stream()
                            .map(DeviceLoad.Exchange::device).distinct().count() == DEVICES);
            load.close();

            // nothing accepted is lost: each device's stored report is the last one answered 202 (or a later one
            // in flight to the victim); only the victim left requests unanswered; no answer was an error
            List<DeviceLoad.Exchange> exchanges = load.exchanges();
            System.out.printf(Locale.ROOT, "ScanSchedulingIT: killed %s while it scanned firing %s of the slow "
                    + "endpoint; reports it left unanswered: %d in flight, %d after%n", executing.instance(),
                    executing.scheduledFor(), exchanges.stream().filter(x -> x.operation().equals("report")
                            && !x.answered() && x.started().isBefore(killed)).count(),
                    exchanges.stream().filter(x -> x.operation().equals("report") && !x.answered()
                            && !x.started().isBefore(killed)).count());
            assertThat(exchanges.stream().filter(x -> !x.answered()).map(DeviceLoad.Exchange::instance).distinct())
                    .as("instances that left requests unanswered").allSatisfy(i -> assertThat(i)
                            .isEqualTo(victim.baseUrl()));
            assertThat(exchanges.stream().filter(DeviceLoad.Exchange::answered).map(DeviceLoad.Exchange::status)
                    .distinct()).as("statuses").allSatisfy(st -> assertThat(st).isIn(200, 202, 304));
            Map<UUID, Long> stored = DeviceLoad.storedReports(db.jdbcUrl(), EmbeddedDatabase.USER, db.password(),
                    UUID.fromString(tenant));
            assertThat(stored).hasSize(DEVICES);
            assertThat(load.mismatches(stored)).isEmpty();

            Map<UUID, List<Row>> allBy = scheduledByEndpoint(rows(db), scheduled);
            for (Created endpoint : scheduled) {
                // informative only: how the two instances happened to share the work
                System.out.printf(Locale.ROOT, "ScanSchedulingIT %s: scans per instance %s%n", endpoint.id(),
                        allBy.get(endpoint.id()).stream().collect(Collectors.groupingBy(Row::instance,
                                Collectors.counting())));
            }
        } finally {
            if (load != null) {
                load.close();
            }
            if (b == null && startingB != null) {
                // a failure before B was awaited must not leave B running
                b = startingB.exceptionally(e -> null).get();
            }
            for (ServiceProcess service : new ServiceProcess[] {a, b}) {
                if (service != null) {
                    service.close();
                }
            }
            for (TestTlsServer server : servers) {
                server.close();
            }
            silent.close();
            db.close(); // last: the services are stopped first
        }
    }

    /**
     * Every firing of the endpoint's schedule up to the latest one recorded ran exactly once: the first one the
     * first-scan delay after creation, each next one exactly an interval later (none doubled, none skipped).
     * Quartz records the firing's scheduled time, not the time it ran, so this holds however late a busy machine
     * runs it.
     */
    private static void assertEveryFiringOnce(Created endpoint, List<Row> scans) {
        assertThat(scans).as("scheduled scans of %s", endpoint.id()).isNotEmpty();
        Set<Instant> times = new HashSet<>();
        for (Row scan : scans) {
            assertThat(times.add(scan.scheduledFor())).as("firing %s of %s recorded once", scan.scheduledFor(),
                    endpoint.id()).isTrue();
        }
        assertThat(scans.get(0).scheduledFor()).as("first firing of %s", endpoint.id())
                .isBetween(endpoint.before().plus(FIRST_SCAN_DELAY).minusMillis(1),
                        endpoint.after().plus(FIRST_SCAN_DELAY).plusMillis(1));
        for (int i = 1; i < scans.size(); i++) {
            Duration gap = Duration.between(scans.get(i - 1).scheduledFor(), scans.get(i).scheduledFor());
            assertThat(gap).as("gap between firings %d and %d of %s", i - 1, i, endpoint.id())
                    .isEqualTo(endpoint.interval());
        }
    }

    /** Replicas that share a database share the master key that seals the payload signing keys. */
    private static final String MASTER_KEY = randomKey();

    private static String randomKey() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return java.util.Base64.getEncoder().encodeToString(key);
    }

    private static Map<String, String> settings(EmbeddedDatabase db, String quartzInstance) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("trustfleet.payload.master-key", MASTER_KEY);
        settings.put("quarkus.datasource.jdbc.url", db.jdbcUrl());
        settings.put("quarkus.datasource.username", EmbeddedDatabase.USER);
        settings.put("quarkus.datasource.password", db.password());
        settings.put("quarkus.quartz.instance-id", quartzInstance);
        settings.put("trustfleet.operator-token", OPERATOR);
        settings.put("trustfleet.scanner.allow-private-addresses", "true");
        settings.put("trustfleet.scanner.interval-unit", INTERVAL.toSeconds() + "s");
        settings.put("trustfleet.scanner.first-scan-delay", FIRST_SCAN_DELAY.toSeconds() + "s");
        settings.put("trustfleet.scanner.connect-timeout", "2s");
        settings.put("trustfleet.scanner.handshake-timeout", HANDSHAKE_TIMEOUT.toSeconds() + "s");
        return settings;
    }

    /** A firing Quartz has handed to an instance and that is running there now. */
    record Executing(String instance, Instant scheduledFor) {}

    /** The firing of the endpoint's job being executed right now, by whichever instance, or null. */
    private static Executing executing(EmbeddedDatabase db, UUID endpoint) throws Exception {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), EmbeddedDatabase.USER, db.password());
             PreparedStatement q = c.prepareStatement("SELECT instance_name, sched_time FROM qrtz_fired_triggers "
                     + "WHERE job_name = ? AND state = 'EXECUTING'")) {
            q.setString(1, endpoint.toString());
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? new Executing(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2))) : null;
            }
        }
    }

    private static List<Row> rows(EmbeddedDatabase db) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), EmbeddedDatabase.USER, db.password());
             PreparedStatement q = c.prepareStatement("SELECT endpoint_id, trigger, scheduled_for, started_at, "
                     + "instance FROM scan ORDER BY endpoint_id, scheduled_for, started_at");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                java.sql.Timestamp scheduled = rs.getTimestamp(3);
                rows.add(new Row(rs.getObject(1, UUID.class), rs.getString(2),
                        scheduled == null ? null : scheduled.toInstant(), rs.getTimestamp(4).toInstant(),
                        rs.getString(5)));
            }
        }
        return rows;
    }

    private static Map<UUID, List<Row>> scheduledByEndpoint(List<Row> rows, List<Created> endpoints) {
        Map<UUID, List<Row>> by = new LinkedHashMap<>();
        endpoints.forEach(e -> by.put(e.id(), new ArrayList<>()));
        for (Row row : rows) {
            if ("SCHEDULED".equals(row.trigger()) && by.containsKey(row.endpoint())) {
                assertThat(row.scheduledFor()).as("a scheduled scan records its firing").isNotNull();
                assertThat(row.instance()).as("a scheduled scan records its instance").isNotBlank();
                by.get(row.endpoint()).add(row);
            }
        }
        return by;
    }

    private static JsonNode send(ServiceProcess service, String method, String path, String token, Object body,
            int expectedStatus) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token);
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isEqualTo(expectedStatus);
        return JSON.readTree(response.body());
    }

    private static String field(JsonNode node, String name) {
        return node.get(name).asText();
    }
}
