import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API driver of bench/scan/run.sh (JDK only, run as a single source file: {@code java ScanBench.java ...}).
 *
 * <pre>
 * register BASE_URL OPERATOR_TOKEN ANCHOR_PEM_FILE PORTS_FILE STATE_FILE   tenant, admin key, anchor, one endpoint per port
 * scan     BASE_URL STATE_FILE CONCURRENCY ROUNDS                          POST .../scans for every endpoint, ROUNDS times
 * profile  JFR_FILE                                                        where the service's CPU samples fall
 * </pre>
 *
 * {@code scan} prints one line {@code scans=... seconds=... endpointsPerSecond=... statuses={...} meanScanMs=...}.
 */
public final class ScanBench {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "register" -> register(args[1], args[2], Path.of(args[3]), Path.of(args[4]), Path.of(args[5]));
            case "scan" -> scan(args[1], Path.of(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "profile" -> profile(Path.of(args[1]));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    private static void register(String base, String operator, Path anchorPem, Path portsFile, Path state)
            throws Exception {
        String tenant = field(post(base + "/api/v1/tenants", operator,
                "{\"name\":\"bench-" + System.currentTimeMillis() + "\"}", 201), "id");
        String admin = field(post(base + "/api/v1/tenants/" + tenant + "/api-keys", operator,
                "{\"name\":\"bench\",\"role\":\"admin\"}", 201), "token");
        post(base + "/api/v1/tenants/" + tenant + "/anchors", admin,
                "{\"pem\":\"" + Files.readString(anchorPem).replace("\n", "\\n") + "\",\"note\":\"bench root\"}",
                201);
        List<String> lines = new ArrayList<>(List.of(tenant, admin));
        for (String port : Files.readAllLines(portsFile)) {
            if (port.isBlank()) {
                continue;
            }
            // the longest interval and (see run.sh) a first-scan delay of days: only the bench's scans run
            lines.add(field(post(base + "/api/v1/tenants/" + tenant + "/endpoints", admin,
                    "{\"name\":\"bench-" + port.strip() + "\",\"host\":\"127.0.0.1\",\"port\":" + port.strip()
                            + ",\"serverName\":\"sts.bench.test\",\"scanIntervalMinutes\":10080}", 201), "id"));
        }
        Files.write(state, lines);
        System.out.println("registered " + (lines.size() - 2) + " endpoints for tenant " + tenant);
    }

    private static void scan(String base, Path state, int concurrency, int rounds) throws Exception {
        List<String> lines = Files.readAllLines(state);
        String tenant = lines.get(0);
        String admin = lines.get(1);
        List<String> endpoints = lines.subList(2, lines.size());
        Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
        LongAdder scanMillis = new LongAdder();
        AtomicLong failures = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        List<Future<?>> work = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int round = 0; round < rounds; round++) {
            for (String endpoint : endpoints) {
                work.add(pool.submit(() -> {
                    try {
                        String body = post(base + "/api/v1/tenants/" + tenant + "/endpoints/" + endpoint + "/scans",
                                admin, null, 201);
                        statuses.computeIfAbsent(field(body, "status"), k -> new LongAdder()).increment();
                        scanMillis.add(Long.parseLong(number(body, "durationMs")));
                    } catch (Exception | AssertionError e) {
                        if (failures.incrementAndGet() <= 3) {
                            System.err.println("scan failed: " + e.getMessage());
                        }
                    }
                    return null;
                }));
            }
        }
        for (Future<?> f : work) {
            f.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        long done = statuses.values().stream().mapToLong(LongAdder::sum).sum();
        Map<String, Long> sorted = new TreeMap<>();
        statuses.forEach((k, v) -> sorted.put(k, v.sum()));
        System.out.printf("scans=%d failed=%d seconds=%.2f endpointsPerSecond=%.1f statuses=%s meanScanMs=%.1f%n",
                done, failures.get(), seconds, done / seconds, sorted, done == 0 ? 0.0 : scanMillis.sum() / (double) done);
    }

    /** Stages of a scan, matched against every frame of a CPU sample's stack (first match wins, in this order). */
    private static final String[][] STAGES = {
        {"TLS probe (2 handshakes)", "org.trustfleet.scan.TlsProbe."},
        {"per-API-level validation (AndroidValidator)", "org.trustfleet.pki.AndroidValidator."},
        {"chain evaluation, other (analysis, path building, AIA)", "org.trustfleet.scan.ChainJudge."},
        {"storing the scan (ScanRecorder: certificates, scan row, JSON)", "org.trustfleet.scan.ScanRecorder."},
        {"store snapshot and tenant anchors", "org.trustfleet.truststore."},
        {"HTTP, JSON and the rest of the request", "io.vertx.", "org.jboss.resteasy.", "io.quarkus."},
    };

    /** CPU samples (JFR jdk.ExecutionSample) of the service, by scan stage, and the hottest frames. */
    private static void profile(Path jfr) throws Exception {
        Map<String, Long> stages = new java.util.LinkedHashMap<>();
        Map<String, Long> tops = new java.util.HashMap<>();
        long total = 0;
        try (jdk.jfr.consumer.RecordingFile file = new jdk.jfr.consumer.RecordingFile(jfr)) {
            while (file.hasMoreEvents()) {
                jdk.jfr.consumer.RecordedEvent event = file.readEvent();
                if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                    continue;
                }
                total++;
                List<jdk.jfr.consumer.RecordedFrame> frames = event.getStackTrace().getFrames();
                String stage = "other (no scan or request frame)";
                search:
                for (String[] candidate : STAGES) {
                    for (jdk.jfr.consumer.RecordedFrame frame : frames) {
                        String type = frame.getMethod().getType().getName() + ".";
                        for (int i = 1; i < candidate.length; i++) {
                            if (type.startsWith(candidate[i])) {
                                stage = candidate[0];
                                break search;
                            }
                        }
                    }
                }
                stages.merge(stage, 1L, Long::sum);
                if (!frames.isEmpty()) {
                    jdk.jfr.consumer.RecordedMethod top = frames.get(0).getMethod();
                    tops.merge(top.getType().getName() + "." + top.getName(), 1L, Long::sum);
                }
            }
        }
        long all = Math.max(1, total);
        System.out.println("CPU samples: " + total);
        stages.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> System.out.printf("  %5.1f%%  %s%n", 100.0 * e.getValue() / all, e.getKey()));
        System.out.println("hottest frames (self):");
        tops.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(10)
                .forEach(e -> System.out.printf("  %5.1f%%  %s%n", 100.0 * e.getValue() / all, e.getKey()));
    }

    private static String post(String url, String token, String json, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + token);
        if (json != null) {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        } else {
            request.POST(HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new AssertionError("POST " + url + " -> " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no '" + name + "' in " + json);
        }
        return m.group(1);
    }

    private static String number(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(\\d+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no '" + name + "' in " + json);
        }
        return m.group(1);
    }
}
