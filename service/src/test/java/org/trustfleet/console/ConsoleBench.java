package org.trustfleet.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.trustfleet.boot.EmbeddedDatabase;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ServiceProcess;

/**
 * Console page render times for a tenant with 1,000 endpoints and 10,000 devices, against the packaged service on
 * its own PostgreSQL. Endpoints are created through the API and four of them scanned for real (loopback TLS servers:
 * a chain to the tenant's private CA, one without its intermediate, one expired, one unreachable); every other
 * endpoint gets a copy of its server's scan document in SQL (the stored shape is the scanner's). Devices are
 * inserted in SQL, a third of them with a report. Each page is fetched WARM times, then timed RUNS times over
 * loopback with a signed-in session; the time is the client's (request sent to last byte), an upper bound of
 * the server time.
 *
 * <pre>bench/console/run.sh</pre>
 */
public final class ConsoleBench {
    private static final String OPERATOR = "tfo_console-bench-operator-token";
    private static final String HOST = "sts.bench.test";
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    private ConsoleBench() {}

    public static void main(String[] args) throws Exception {
        int endpoints = Integer.getInteger("endpoints", 1000);
        int devices = Integer.getInteger("devices", 10_000);
        int warm = Integer.getInteger("warm", 20);
        int runs = Integer.getInteger("runs", 30);
        Path work = Files.createTempDirectory(Path.of("target"), "bench-console-");
        EmbeddedDatabase db = EmbeddedDatabase.start(work.resolve("pg"), 0, true);
        Cert root = TestPki.root("Bench Private Root");
        Cert ca = root.issueIntermediate("Bench Issuing CA");
        Cert leaf = ca.issueLeaf(HOST);
        Cert expired = ca.leaf(HOST).expired().build();
        List<TestTlsServer> servers = List.of(
                TestTlsServer.tls(TestPki.certs(leaf, ca), leaf.keyPair().getPrivate()),
                TestTlsServer.tls(TestPki.certs(leaf), leaf.keyPair().getPrivate()),
                TestTlsServer.tls(TestPki.certs(expired, ca), expired.keyPair().getPrivate()));
        int[] ports = {servers.get(0).port(), servers.get(1).port(), servers.get(2).port(), TestTlsServer.closedPort()};
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("quarkus.datasource.jdbc.url", db.jdbcUrl());
        settings.put("quarkus.datasource.username", EmbeddedDatabase.USER);
        settings.put("quarkus.datasource.password", db.password());
        settings.put("trustfleet.operator-token", OPERATOR);
        settings.put("trustfleet.scanner.allow-private-addresses", "true");
        settings.put("trustfleet.scanner.first-scan-delay", "1h");
        try (ServiceProcess service = ServiceProcess.start(work.resolve("data"), settings)) {
            String base = service.baseUrl();
            String tenant = json(post(base + "/api/v1/tenants", OPERATOR, "{\"name\":\"bench\"}")).get("id").asText();
            String admin = json(post(base + "/api/v1/tenants/" + tenant + "/api-keys", OPERATOR,
                    "{\"name\":\"admin\",\"role\":\"admin\"}")).get("token").asText();
            post(base + "/api/v1/tenants/" + tenant + "/anchors", admin, JSON.writeValueAsString(Map.of("pem",
                    CertificateEncoder.toPem(List.of(root.cert())), "note", "bench root")));
            long t0 = System.nanoTime();
            List<String> ids = createEndpoints(base, tenant, admin, endpoints, ports);
            for (int i = 0; i < 4; i++) {
                post(base + "/api/v1/tenants/" + tenant + "/endpoints/" + ids.get(i) + "/scans", admin, "");
            }
            String group = json(post(base + "/api/v1/tenants/" + tenant + "/device-groups", admin,
                    "{\"name\":\"all phones\",\"minApiLevel\":24,\"maxApiLevel\":36}")).get("id").asText();
            fill(db, tenant, group, devices);
            System.out.printf(Locale.ROOT, "world: %d endpoints (4 scanned, the rest copied), %d devices, built in %d s%n",
                    endpoints, devices, (System.nanoTime() - t0) / 1_000_000_000L);

            String session = signIn(base, admin);
            String device = firstDevice(db);
            String page = "/console/tenants/" + tenant;
            Map<String, String> pages = new LinkedHashMap<>();
            pages.put("overview", page);
            pages.put("endpoints (trust matrix)", page + "/endpoints");
            pages.put("endpoints, filtered (htmx table)", page + "/endpoints?q=endpoint-99&sort=failing");
            pages.put("endpoint detail", page + "/endpoints/" + ids.get(0));
            pages.put("device groups", page + "/device-groups");
            pages.put("device group detail", page + "/device-groups/" + group);
            pages.put("devices (first 200)", page + "/devices");
            pages.put("devices, state=COMPLIANT (reads all)", page + "/devices?state=COMPLIANT");
            pages.put("device detail", page + "/devices/" + device);
            pages.put("enrollment", page + "/enrollment");
            pages.put("anchors", page + "/anchors");
            pages.put("drift", page + "/drift");
            // The reference in the same run: the JSON API's answer for the same data (bearer token, no HTML), timed
            // alternately with the page, so the table shows what rendering the page adds to reading the data.
            String api = "/api/v1/tenants/" + tenant;
            Map<String, String> references = Map.of(
                    "overview", api + "/drift-report",
                    "endpoints (trust matrix)", api + "/endpoints",
                    "endpoint detail", api + "/endpoints/" + ids.get(0) + "/scans/latest",
                    "device group detail", api + "/device-groups/" + group + "/requirements",
                    "devices (first 200)", api + "/devices?limit=200",
                    "device detail", api + "/devices/" + device,
                    "drift", api + "/drift-report");
            System.out.printf(Locale.ROOT, "load before timing: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
            System.out.printf(Locale.ROOT, "%-40s %8s %8s %8s %8s %9s   %-28s %8s %8s%n", "page", "median", "p90", "max",
                    "min", "bytes", "reference (JSON API)", "median", "p90");
            for (Map.Entry<String, String> p : pages.entrySet()) {
                boolean htmx = p.getKey().contains("htmx");
                String reference = references.get(p.getKey());
                int bytes = 0;
                for (int i = 0; i < warm; i++) {
                    bytes = fetch(base + p.getValue(), session, htmx).length();
                    if (reference != null) {
                        get(base + reference, admin);
                    }
                }
                long[] ms = new long[runs];
                long[] refMs = new long[runs];
                for (int i = 0; i < runs; i++) {
                    long start = System.nanoTime();
                    fetch(base + p.getValue(), session, htmx);
                    ms[i] = (System.nanoTime() - start) / 1_000_000L;
                    if (reference != null) {
                        start = System.nanoTime();
                        get(base + reference, admin);
                        refMs[i] = (System.nanoTime() - start) / 1_000_000L;
                    }
                }
                Arrays.sort(ms);
                Arrays.sort(refMs);
                String ref = reference == null ? String.format(Locale.ROOT, "   %-28s", "-")
                        : String.format(Locale.ROOT, "   %-28s %5d ms %5d ms",
                                reference.substring(api.length()).replaceAll("/[0-9a-f-]{36}", "/{id}"),
                                refMs[runs / 2], refMs[(int) Math.ceil(runs * 0.9) - 1]);
                System.out.printf(Locale.ROOT, "%-40s %6d ms %5d ms %5d ms %5d ms %9d%s%n", p.getKey(), ms[runs / 2],
                        ms[(int) Math.ceil(runs * 0.9) - 1], ms[runs - 1], ms[0], bytes, ref);
            }
            System.out.printf(Locale.ROOT, "load after timing: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
        } finally {
            for (TestTlsServer s : servers) {
                s.close();
            }
            db.close();
        }
    }

    private static List<String> createEndpoints(String base, String tenant, String admin, int n, int[] ports)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> created = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int port = ports[i % ports.length];
                String body = JSON.writeValueAsString(Map.of("name", "endpoint-" + i, "host", "127.0.0.1",
                        "port", port, "serverName", HOST));
                created.add(pool.submit(() -> json(post(base + "/api/v1/tenants/" + tenant + "/endpoints", admin,
                        body)).get("id").asText()));
            }
            List<String> ids = new ArrayList<>();
            for (Future<String> f : created) {
                ids.add(f.get());
            }
            return ids;
        } finally {
            pool.shutdown();
        }
    }

    /** Copies each server's real scan to the endpoints on the same port, and inserts the devices. */
    private static void fill(EmbeddedDatabase db, String tenant, String group, int devices) throws Exception {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), EmbeddedDatabase.USER, db.password())) {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO scan (id, endpoint_id, tenant_id, started_at, duration_ms, status, trigger, tls_version,
                                      cipher_suite, address, error_detail, chain_key, document)
                    SELECT gen_random_uuid(), e.id, e.tenant_id, t.started_at, t.duration_ms, t.status, t.trigger,
                           t.tls_version, t.cipher_suite, t.address, t.error_detail, t.chain_key, t.document
                    FROM endpoint e
                    JOIN LATERAL (SELECT s.* FROM scan s JOIN endpoint se ON se.id = s.endpoint_id
                                  WHERE se.port = e.port LIMIT 1) t ON true
                    WHERE NOT EXISTS (SELECT 1 FROM scan x WHERE x.endpoint_id = e.id)""")) {
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO device (id, tenant_id, device_group_id, hardware_id, token_hash, model, agent_version,
                                        api_level, enrolled_at, reported_at, reported_version,
                                        reported_installed, reported_failures)
                    SELECT gen_random_uuid(), ?::uuid, ?::uuid, 'hw-' || i, sha256(('bench-token-' || i)::bytea),
                           'Pixel ' || (i % 9), '1.0', 24 + i % 13, now(),
                           CASE WHEN i % 3 = 0 THEN now() END, CASE WHEN i % 3 = 0 THEN 1 END,
                           CASE WHEN i % 3 = 0 THEN '[]' END, CASE WHEN i % 3 = 0 THEN '[]' END
                    FROM generate_series(1, ?) i""")) {
                s.setString(1, tenant);
                s.setString(2, group);
                s.setInt(3, devices);
                s.executeUpdate();
            }
        }
    }

    private static String firstDevice(EmbeddedDatabase db) throws Exception {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), EmbeddedDatabase.USER, db.password());
             PreparedStatement s = c.prepareStatement("SELECT id FROM device ORDER BY id LIMIT 1");
             ResultSet r = s.executeQuery()) {
            r.next();
            return r.getString(1);
        }
    }

    private static String signIn(String base, String token) throws Exception {
        HttpResponse<String> form = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/console/sign-in")).build(),
                HttpResponse.BodyHandlers.ofString());
        String formCookie = cookie(form, "tf_sign_in");
        Matcher m = CSRF.matcher(form.body());
        m.find();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/console/sign-in"))
                .header("Cookie", "tf_sign_in=" + formCookie)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)
                        + "&csrf=" + URLEncoder.encode(m.group(1), StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 303) {
            throw new IllegalStateException("sign-in answered " + r.statusCode());
        }
        return cookie(r, "tf_session");
    }

    private static String fetch(String url, String session, boolean htmx) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Cookie", "tf_session=" + session);
        if (htmx) {
            b.header("HX-Request", "true");
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    private static String get(String url, String token) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    private static String post(String url, String token, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String body) throws Exception {
        return JSON.readTree(body);
    }

    private static String cookie(HttpResponse<?> r, String name) {
        return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
                .map(c -> c.substring(name.length() + 1, c.indexOf(';') < 0 ? c.length() : c.indexOf(';')))
                .findFirst().orElseThrow();
    }
}
