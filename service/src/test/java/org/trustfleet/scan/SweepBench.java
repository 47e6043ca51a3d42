package org.trustfleet.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.trustfleet.boot.EmbeddedDatabase;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.testing.ServiceProcess;
import org.trustfleet.testing.StaticHttpServer;

/**
 * The sweep benchmark (bench/sweep/run.sh): N endpoints created through the API of the packaged service, each on its
 * own loopback address behind {@link LatencyProxy}, scheduled by Quartz at one interval. Each sweep sets every
 * endpoint's next firing to the same instant (the worst case: a whole fleet due at once) and measures, from the scan
 * table, the time from the first scan's start to the last scan's end, scans per second, CPU seconds per scan of the
 * service JVM and of PostgreSQL (from /proc), and the service's peak RSS and threads. Sweeps: a warm-up and a clean
 * one without latency or faults, then one with latency (50-300 ms per direction per flight), 5 % black holes and 3 %
 * refused, and the same again (each endpoint's last outcome now known, as in every sweep of a running fleet after its
 * first). The headline is the ratio of the clean and the first internet sweep's rates, then of the clean and the
 * second's. Firings Quartz could not start within its misfire
 * threshold run late (rescheduled to when they start; builds before V32 moved them to their next regular firing):
 * "missed" counts what was not scanned by the end of the sweep, "max late" the latest start after the due instant.
 */
public final class SweepBench {
    private static final String OPERATOR = "tfo_sweep-bench-operator-token";
    private static final String HOST = "sts.sweep.test";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private record Sweep(String name, int due, int scanned, int missed, double seconds, double cpuService,
            double cpuPostgres, double cpuBench, long peakRssKb, int peakThreads, double maxLateSeconds, Map<String, Integer> statuses) {
        double rate() {
            return scanned / seconds;
        }
    }

    private SweepBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("endpoints", 1000);
        int port = Integer.getInteger("port", 443); // cfssl bundle connects to 443 only
        Duration patience = Duration.ofMinutes(Long.getLong("patienceMinutes", 30));
        Files.createDirectories(Path.of("target"));
        Path work = Files.createTempDirectory(Path.of("target"), "sweep-");
        System.out.printf(Locale.ROOT, "sweep: %d endpoints, machine %d cores, load %s%n", n,
                Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).trim());

        // the scenario chains: complete, missing intermediate with AIA, private root, expired
        TestPki.Cert root = TestPki.root("Sweep Public Root");
        TestPki.Cert ca = root.issueIntermediate("Sweep Issuing CA");
        TestPki.Cert privateRoot = TestPki.root("Sweep Private Root");
        TestPki.Cert privateCa = privateRoot.issueIntermediate("Sweep Private CA");
        StaticHttpServer aia = StaticHttpServer.start();
        String aiaUrl = aia.serve("/ca.crt", ca.cert().getEncoded());
        TestPki.Cert complete = ca.issueLeaf(HOST);
        TestPki.Cert aiaLeaf = ca.leaf(HOST).aia(aiaUrl).build();
        TestPki.Cert privateLeaf = privateCa.issueLeaf(HOST);
        TestPki.Cert expired = ca.leaf(HOST).expired().build();
        List<TestTlsServer> backends = List.of(
                TestTlsServer.tls(TestPki.certs(complete, ca), complete.keyPair().getPrivate()),
                TestTlsServer.tls(TestPki.certs(aiaLeaf), aiaLeaf.keyPair().getPrivate()),
                TestTlsServer.tls(TestPki.certs(privateLeaf, privateCa), privateLeaf.keyPair().getPrivate()),
                TestTlsServer.tls(TestPki.certs(expired, ca), expired.keyPair().getPrivate()));

        LatencyProxy proxy = new LatencyProxy(50, 300);
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String address = "127.1." + (i / 250) + "." + (i % 250 + 1);
            int bucket = i % 100;
            LatencyProxy.Kind kind = bucket < 5 ? LatencyProxy.Kind.BLACK_HOLE
                    : bucket < 8 ? LatencyProxy.Kind.REFUSED : LatencyProxy.Kind.FORWARD;
            proxy.listen(address, port, backends.get(i % backends.size()).port(), kind);
            addresses.add(address);
        }

        if (Boolean.getBoolean("peersOnly")) {
            // the peers alone, on the same endpoints behind the same proxy with latency and faults
            proxy.faults();
            peers(addresses, port);
            proxy.close();
            aia.close();
            for (TestTlsServer backend : backends) {
                backend.close();
            }
            return;
        }
        EmbeddedDatabase db = EmbeddedDatabase.start(work.resolve("pg"), 0, true);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("trustfleet.payload.master-key", java.util.Base64.getEncoder().encodeToString(new byte[32]));
        settings.put("quarkus.datasource.jdbc.url", db.jdbcUrl());
        settings.put("quarkus.datasource.username", EmbeddedDatabase.USER);
        settings.put("quarkus.datasource.password", db.password());
        settings.put("trustfleet.operator-token", OPERATOR);
        settings.put("trustfleet.scanner.allow-private-addresses", "true");
        settings.put("trustfleet.scanner.aia.allow-loopback-and-link-local", "true");
        settings.put("trustfleet.scanner.first-scan-delay", "2h"); // the sweeps below set the firings
        for (String extra : System.getProperty("serviceSettings", "").split(",")) {
            if (extra.contains("=")) {
                settings.put(extra.substring(0, extra.indexOf('=')), extra.substring(extra.indexOf('=') + 1));
            }
        }
        ServiceProcess service = ServiceProcess.start(work.resolve("data"), settings);
        try {
            String base = service.baseUrl();
            send(base, "POST", "/api/v1/trust-stores", OPERATOR, Map.of("name", "sweep-api-90", "platform", "android",
                    "apiLevel", 90, "pem", CertificateEncoder.toPem(List.of(root.cert()))));
            String tenant = send(base, "POST", "/api/v1/tenants", OPERATOR, Map.of("name", "sweep")).get("id")
                    .asText();
            String admin = send(base, "POST", "/api/v1/tenants/" + tenant + "/api-keys", OPERATOR,
                    Map.of("name", "sweep admin", "role", "admin")).get("token").asText();
            Instant t0 = Instant.now();
            try (ExecutorService creators = Executors.newFixedThreadPool(8)) {
                List<Future<?>> created = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    String address = addresses.get(i);
                    int index = i;
                    created.add(creators.submit(() -> send(base, "POST", "/api/v1/tenants/" + tenant + "/endpoints",
                            admin, Map.of("name", "sweep-" + index, "host", address, "port", port, "serverName", HOST,
                                    "scanIntervalMinutes", 1440))));
                }
                for (Future<?> f : created) {
                    f.get();
                }
            }
            System.out.printf(Locale.ROOT, "created %d endpoints through the API in %.1f s%n", n,
                    Duration.between(t0, Instant.now()).toMillis() / 1000.0);

            List<Sweep> sweeps = new ArrayList<>();
            sweeps.add(sweep("warm-up (no latency, no faults)", db, service, n, patience));
            sweeps.add(sweep("clean (no latency, no faults)", db, service, n, patience));
            proxy.faults();
            sweeps.add(sweep("internet (50-300 ms/flight, 5% black holes, 3% refused)", db, service, n, patience));
            // the same faults once more: each endpoint's outcome of the sweep before is known, as in every sweep of
            // a running fleet after its first (the black holes found silent are fired first)
            sweeps.add(sweep("internet again (last outcomes known)", db, service, n, patience));
            System.out.println();
            System.out.println("| sweep | due | scanned | missed | first→last (s) | scans/s | CPU s/scan service | "
                    + "CPU s/scan PostgreSQL | CPU s/scan bench (proxy, TLS servers) | peak RSS (MiB) | peak threads | "
                    + "max late (s) | statuses |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            for (Sweep s : sweeps) {
                System.out.printf(Locale.ROOT,
                        "| %s | %d | %d | %d | %.1f | %.1f | %.4f | %.4f | %.4f | %d | %d | %.1f | %s |%n",
                        s.name(), s.due(), s.scanned(), s.missed(), s.seconds(), s.rate(), s.cpuService(),
                        s.cpuPostgres(), s.cpuBench(), s.peakRssKb() / 1024, s.peakThreads(), s.maxLateSeconds(), s.statuses());
            }
            Sweep clean = sweeps.get(1);
            Sweep internet = sweeps.get(2);
            Sweep again = sweeps.get(3);
            System.out.printf(Locale.ROOT, "%nheadline: rate with latency and faults / rate without = %.1f / %.1f = "
                    + "%.2f (target >= 0.8)%n", internet.rate(), clean.rate(), internet.rate() / clean.rate());
            System.out.printf(Locale.ROOT, "headline, last outcomes known: %.1f / %.1f = %.2f (target >= 0.8)%n",
                    again.rate(), clean.rate(), again.rate() / clean.rate());
            if (Boolean.getBoolean("peers")) {
                peers(addresses, port);
            }
        } finally {
            service.close();
            proxy.close();
            for (TestTlsServer backend : backends) {
                backend.close();
            }
            aia.close();
            db.close();
        }
    }

    /**
     * Per-endpoint wall time of testssl.sh (server defaults: the certificate and chain checks) and of cfssl bundle on
     * a sample of the same endpoints, behind the same proxy with latency and faults: two black holes, one refused,
     * one of each chain scenario.
     */
    private static void peers(List<String> addresses, int port) throws Exception {
        int[] sample = java.util.Arrays.stream(System.getProperty("peerSample", "0,1,5,8,9,10,11").split(","))
                .mapToInt(Integer::parseInt).toArray();
        System.out.println();
        System.out.println("| endpoint | kind | testssl.sh -S (s) | cfssl bundle (s) |");
        System.out.println("|---|---|---|---|");
        for (int i : sample) {
            String address = addresses.get(i);
            String kind = i % 100 < 5 ? "black hole" : i % 100 < 8 ? "refused"
                    : List.of("complete", "missing intermediate (AIA)", "private root", "expired").get(i % 4);
            // Debian installs testssl.sh as "testssl"
            double testssl = timed(List.of("timeout", "300", System.getProperty("testssl", "testssl"), "--quiet",
                    "--color", "0", "--warnings", "batch", "-S", "--ip", address, HOST + ":" + port));
            double cfssl = timed(List.of("timeout", "300", "cfssl", "bundle", "-domain", HOST, "-ip", address));
            System.out.printf(Locale.ROOT, "| %s:%d | %s | %.1f | %.1f |%n", address, port, kind, testssl, cfssl);
        }
    }

    private static double timed(List<String> command) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor();
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Makes every endpoint due at one instant, waits until Quartz has fired (or missed) them all, and measures. */
    private static Sweep sweep(String name, EmbeddedDatabase db, ServiceProcess service, int n, Duration patience)
            throws Exception {
        try (Connection c = connect(db)) {
            // a trigger whose last job's completion Quartz has not recorded yet is still BLOCKED (its job does not run
            // concurrently with itself): wait for every trigger to be WAITING, and say how long that took
            Instant asked = Instant.now();
            Map<String, Integer> states = triggerStates(c);
            while (!states.keySet().stream().allMatch("WAITING"::equals)
                    && Instant.now().isBefore(asked.plusSeconds(120))) {
                Thread.sleep(1000);
                states = triggerStates(c);
            }
            System.out.printf(Locale.ROOT, "%n== %s: triggers %s (%.0f s after asking)%n", name, states,
                    Duration.between(asked, Instant.now()).toMillis() / 1000.0);
        }
        Instant due = Instant.now().plusSeconds(3).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        try (Connection c = connect(db)) {
            try (PreparedStatement u = c.prepareStatement("UPDATE qrtz_triggers SET next_fire_time = ? "
                    + "WHERE trigger_group = 'endpoint-scans' AND trigger_state = 'WAITING'")) {
                u.setLong(1, due.toEpochMilli());
                System.out.printf(Locale.ROOT, "%n== %s: %d firings due at %s%n", name, u.executeUpdate(), due);
            }
        }
        List<Long> postgres = postgresPids(db);
        long serviceCpu0 = cpuTicks(List.of(service.pid()));
        long pgCpu0 = cpuTicks(postgres);
        // this JVM: the latency proxy, the backend TLS servers and the AIA server (plus this loop's polling)
        long benchCpu0 = cpuTicks(List.of(ProcessHandle.current().pid()));
        String profile = System.getProperty("profileDir", "");
        String recording = "sweep-" + due.toEpochMilli();
        if (!profile.isEmpty()) {
            // a CPU profile of the service during this sweep only (jfr print --events jdk.ExecutionSample ...)
            jcmd(service.pid(), "JFR.start", "name=" + recording, "settings=profile");
        }
        long peakRss = 0;
        int peakThreads = 0;
        Instant deadline = Instant.now().plus(patience);
        int scanned = 0;
        while (Instant.now().isBefore(deadline)) {
            Thread.sleep(1000);
            long[] status = status(service.pid());
            peakRss = Math.max(peakRss, status[0]);
            peakThreads = (int) Math.max(peakThreads, status[1]);
            try (Connection c = connect(db)) {
                // a firing that misses Quartz's threshold runs late, rescheduled to when it starts: every scan of
                // the sweep is at or after the due instant (the next regular firing is an interval away)
                scanned = count(c, "SELECT count(*) FROM scan WHERE scheduled_for >= ? AND trigger = 'SCHEDULED'",
                        due);
                int pending = count(c, "SELECT count(*) FROM qrtz_triggers WHERE trigger_group = 'endpoint-scans' "
                        + "AND next_fire_time <= ?", Instant.now()) + count(c,
                        "SELECT count(*) FROM qrtz_fired_triggers", null);
                if (Instant.now().isAfter(due) && (scanned >= n || pending == 0)) {
                    break;
                }
            }
        }
        double serviceCpu = (cpuTicks(List.of(service.pid())) - serviceCpu0) / 100.0;
        double pgCpu = (cpuTicks(postgres) - pgCpu0) / 100.0;
        double benchCpu = (cpuTicks(List.of(ProcessHandle.current().pid())) - benchCpu0) / 100.0;
        if (!profile.isEmpty()) {
            Path file = Path.of(profile).toAbsolutePath().resolve(name.replaceAll("[^a-z]+.*", "") + ".jfr");
            jcmd(service.pid(), "JFR.stop", "name=" + recording, "filename=" + file);
            System.out.println("profile of the service during this sweep: " + file);
        }
        try (Connection c = connect(db); PreparedStatement q = c.prepareStatement("SELECT min(started_at), "
                + "max(started_at + duration_ms * interval '1 millisecond'), "
                + "max(extract(epoch from started_at) - extract(epoch from ?::timestamptz)) FROM scan "
                + "WHERE scheduled_for >= ? AND trigger = 'SCHEDULED'"); PreparedStatement st = c.prepareStatement(
                "SELECT status, count(*) FROM scan WHERE scheduled_for >= ? AND trigger = 'SCHEDULED' "
                        + "GROUP BY status")) {
            q.setObject(1, java.sql.Timestamp.from(due));
            q.setObject(2, java.sql.Timestamp.from(due));
            double seconds;
            double late;
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                seconds = (rs.getTimestamp(2).getTime() - rs.getTimestamp(1).getTime()) / 1000.0;
                late = rs.getDouble(3);
            }
            Map<String, Integer> statuses = new TreeMap<>();
            st.setObject(1, java.sql.Timestamp.from(due));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    statuses.put(rs.getString(1), rs.getInt(2));
                }
            }
            // where the time went: how fast Quartz started the scans, and how long the last ones took to end (a black
            // hole started late ends one handshake timeout later)
            try (PreparedStatement spans = c.prepareStatement("SELECT percentile_disc(ARRAY[0.5, 0.9, 1.0]) WITHIN "
                    + "GROUP (ORDER BY extract(epoch FROM started_at)), max(extract(epoch FROM started_at) + "
                    + "duration_ms / 1000.0), min(extract(epoch FROM started_at)) FROM scan WHERE scheduled_for >= ? AND trigger = 'SCHEDULED'")) {
                spans.setObject(1, java.sql.Timestamp.from(due));
                try (ResultSet rs = spans.executeQuery()) {
                    rs.next();
                    Object[] at = (Object[]) rs.getArray(1).getArray();
                    double first = rs.getDouble(3);
                    double half = ((Number) at[0]).doubleValue() - first;
                    double most = ((Number) at[1]).doubleValue() - first;
                    double all = ((Number) at[2]).doubleValue() - first;
                    System.out.printf(Locale.ROOT, "%s: starts after the first: 50%% by %.1f s, 90%% by %.1f s, "
                            + "all by %.1f s (%.1f starts/s); last end %.1f s after the last start%n", name,
                            half, most, all, scanned / Math.max(0.001, all), rs.getDouble(2) - first - all);
                }
            }
            Sweep sweep = new Sweep(name, n, scanned, n - scanned, seconds, serviceCpu / Math.max(1, scanned),
                    pgCpu / Math.max(1, scanned), benchCpu / Math.max(1, scanned), peakRss, peakThreads, late, statuses);
            System.out.printf(Locale.ROOT, "%s: %d scanned, %d missed, %.1f s first to last, %.1f scans/s%n", name,
                    scanned, sweep.missed(), seconds, sweep.rate());
            return sweep;
        }
    }

    private static void jcmd(long pid, String... command) throws Exception {
        List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid)));
        line.addAll(List.of(command));
        new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                .waitFor();
    }

    private static Connection connect(EmbeddedDatabase db) throws Exception {
        return DriverManager.getConnection(db.jdbcUrl(), EmbeddedDatabase.USER, db.password());
    }

    /** The scan triggers by Quartz state, e.g. {@code {WAITING=10000}}. */
    private static Map<String, Integer> triggerStates(Connection c) throws Exception {
        Map<String, Integer> states = new TreeMap<>();
        try (PreparedStatement q = c.prepareStatement("SELECT trigger_state, count(*) FROM qrtz_triggers "
                + "WHERE trigger_group = 'endpoint-scans' GROUP BY trigger_state"); ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                states.put(rs.getString(1), rs.getInt(2));
            }
        }
        return states;
    }

    private static int count(Connection c, String sql, Instant at) throws Exception {
        try (PreparedStatement q = c.prepareStatement(sql)) {
            if (at != null) {
                if (sql.contains("next_fire_time")) {
                    q.setLong(1, at.toEpochMilli());
                } else {
                    q.setObject(1, java.sql.Timestamp.from(at));
                }
            }
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** The PostgreSQL server processes of this database (their command line names its data directory). */
    private static List<Long> postgresPids(EmbeddedDatabase db) throws Exception {
        List<Long> pids = new ArrayList<>();
        try (Connection c = connect(db); ResultSet rs = c.createStatement().executeQuery(
                "SELECT pg_postmaster_start_time(), (SELECT setting FROM pg_settings WHERE name = 'data_directory')")) {
            rs.next();
            String dataDir = rs.getString(2);
            ProcessHandle.allProcesses().forEach(p -> {
                String cmd = p.info().commandLine().orElse("");
                if (cmd.contains(dataDir)) {
                    pids.add(p.pid());
                    p.descendants().forEach(d -> pids.add(d.pid()));
                }
            });
        }
        return pids;
    }

    /** utime + stime of the processes (and their exited children), in clock ticks (100 per second on Linux). */
    private static long cpuTicks(List<Long> pids) {
        long total = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // fields 14-17 (utime, stime, cutime, cstime) are at 11-14 after the command
                for (int i = 11; i <= 14; i++) {
                    total += Long.parseLong(f[i]);
                }
            } catch (IOException gone) {
                // a backend that exited; its time is in the postmaster's cutime
            }
        }
        return total;
    }

    /** VmRSS (kB) and Threads of a process. */
    private static long[] status(long pid) throws IOException {
        long rss = 0;
        long threads = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"), StandardCharsets.US_ASCII)) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            } else if (line.startsWith("Threads:")) {
                threads = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return new long[] {rss, threads};
    }

    private static JsonNode send(String base, String method, String path, String token, Object body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60));
            request = body == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
                    : request.header("Content-Type", "application/json")
                            .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + " -> " + response.statusCode() + ": "
                        + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(method + " " + path, e);
        }
    }
}
