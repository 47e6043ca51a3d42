package org.trustfleet.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Many simulated devices on the agent wire format (docs/agent-protocol.md), for fault tests against packaged
 * instances: each enrolls over HTTP, then, until stopped, fetches its payload ({@code If-None-Match}) and posts a
 * report whose {@code payloadVersion} is the device's own increasing sequence number, so the database shows which
 * report it stored. Every exchange is recorded with its outcome. Requests go round-robin over the given instances
 * (as through a load balancer); every request has a bounded timeout, so a hanging server shows as a recorded timeout,
 * never as a hanging test. The loops end by themselves after {@code maxRun}.
 */
public final class DeviceLoad implements AutoCloseable {
    /** The client's bound on one request: a server that takes longer counts as hanging. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An enrolled simulated device. */
    public record Device(int index, UUID id, String token) {}

    /**
     * One request and what came of it: the HTTP status and headers, or {@code failure} (a timeout or a broken
     * connection) when no answer came. {@code body} is the problem document of an error, or the ETag of a payload.
     */
    public record Exchange(String operation, int device, long seq, String instance, Instant started, Duration took,
            int status, String contentType, String retryAfter, String problemType, String body, String failure) {
        public boolean answered() {
            return failure == null;
        }

        public boolean timedOut() {
            return failure != null && failure.startsWith(HttpTimeoutException.class.getSimpleName());
        }
    }

    private final List<String> instances;
    private final List<Device> devices;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ConcurrentLinkedQueue<Exchange> exchanges = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong round = new AtomicLong();
    private final Map<Integer, AtomicLong> sequences = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Integer, String> etags = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> reportsInFlight =
            new java.util.concurrent.ConcurrentHashMap<>();
    private ExecutorService workers;
    private final List<java.util.concurrent.Future<?>> loops = new ArrayList<>();

    private DeviceLoad(List<String> instances, List<Device> devices) {
        this.instances = List.copyOf(instances);
        this.devices = List.copyOf(devices);
    }

    /** Enrolls {@code count} devices with the enrollment token (API level 95) through the first instance. */
    public static DeviceLoad enroll(List<String> instances, String enrollmentToken, int count) throws Exception {
        DeviceLoad load = new DeviceLoad(instances, List.of());
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpResponse<String> r = load.http.send(HttpRequest.newBuilder(URI.create(instances.get(0)
                            + "/api/v1/enroll")).timeout(REQUEST_TIMEOUT).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of(
                            "enrollmentToken", enrollmentToken, "hardwareId", "sim-" + i + "-" + UUID.randomUUID(),
                            "apiLevel", 95, "model", "Simulated")))).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) {
                throw new IllegalStateException("enrollment " + i + ": " + r.statusCode() + " " + r.body());
            }
            JsonNode e = JSON.readTree(r.body());
            devices.add(new Device(i, UUID.fromString(e.get("deviceId").asText()), e.get("deviceToken").asText()));
        }
        return new DeviceLoad(instances, devices);
    }

    public List<Device> devices() {
        return devices;
    }

    /** Starts {@code threads} loops over the devices; each ends on {@link #close()} or after {@code maxRun}. */
    public void start(int threads, Duration maxRun) {
        running.set(true);
        Instant deadline = Instant.now().plus(maxRun);
        workers = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            int first = t;
            loops.add(workers.submit(() -> {
                while (running.get() && Instant.now().isBefore(deadline)) {
                    for (int d = first; d < devices.size() && running.get(); d += threads) {
                        step(devices.get(d));
                    }
                    pause(Duration.ofMillis(50));
                }
                return null;
            }));
        }
    }

    /** Stops the loops and waits for the requests in flight (each bounded by {@link #REQUEST_TIMEOUT}). */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        if (workers != null) {
            workers.shutdown();
            if (!workers.awaitTermination(REQUEST_TIMEOUT.toSeconds() * 2 + 10, TimeUnit.SECONDS)) {
                workers.shutdownNow();
                throw new IllegalStateException("device loops did not end although every request is bounded");
            }
            for (java.util.concurrent.Future<?> loop : loops) {
                try {
                    loop.get(); // a loop that died of an exception fails the test
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("a device loop failed", e.getCause());
                }
            }
        }
    }

    /** How many reports are being sent to the instance right now (sent, not yet answered). */
    public int reportsInFlight(String instance) {
        java.util.concurrent.atomic.AtomicInteger n = reportsInFlight.get(instance);
        return n == null ? 0 : n.get();
    }

    /** Every exchange so far, in the order they completed. */
    public List<Exchange> exchanges() {
        return List.copyOf(exchanges);
    }

    public List<Exchange> exchanges(Predicate<Exchange> filter) {
        return exchanges.stream().filter(filter).toList();
    }

    /**
     * Checks what the database holds against what the devices were told, for one device: its stored report is the
     * last one answered 202, or a later one whose answer never came (the instance died or timed out after it may have
     * committed). A report answered 503 was promised not to be stored. Returns a sentence for a mismatch.
     */
    public Optional<String> mismatch(Device device, Long storedVersion) {
        List<Exchange> reports = exchanges(x -> x.operation().equals("report") && x.device() == device.index());
        long accepted = reports.stream().filter(x -> x.status() == 202).mapToLong(Exchange::seq).max().orElse(0);
        List<Long> unanswered = reports.stream().filter(x -> !x.answered() && x.seq() > accepted)
                .map(Exchange::seq).toList();
        if (accepted == 0 && storedVersion == null) {
            return Optional.empty();
        }
        if (storedVersion != null && (storedVersion == accepted || unanswered.contains(storedVersion))) {
            return Optional.empty();
        }
        return Optional.of("device " + device.index() + " (" + device.id() + "): stored report " + storedVersion
                + ", last report answered 202 was " + accepted + ", unanswered after it " + unanswered);
    }

    /** Each mismatch of {@link #mismatch} over all devices, given each device's stored report version by id. */
    public List<String> mismatches(Map<UUID, Long> storedVersions) {
        return devices.stream().map(d -> mismatch(d, storedVersions.get(d.id()))).flatMap(Optional::stream).toList();
    }

    /**
     * Reads, straight from the database, every device of the tenant (by id) and the {@code payloadVersion} of the
     * report stored for it (null before its first); fails if a device id appears twice.
     */
    public static Map<UUID, Long> storedReports(String jdbcUrl, String user, String password, UUID tenant)
            throws java.sql.SQLException {
        Map<UUID, Long> stored = new java.util.HashMap<>();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbcUrl, user, password);
             java.sql.PreparedStatement q = c.prepareStatement(
                     "SELECT id, reported_version FROM device WHERE tenant_id = ?")) {
            q.setObject(1, tenant);
            try (java.sql.ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    long version = rs.getLong(2);
                    UUID id = rs.getObject(1, UUID.class);
                    if (stored.containsKey(id)) {
                        throw new IllegalStateException("device " + id + " stored twice");
                    }
                    stored.put(id, rs.wasNull() ? null : version);
                }
            }
        }
        return stored;
    }

    private void step(Device device) {
        String instance = instances.get((int) Math.floorMod(round.getAndIncrement(), instances.size()));
        HttpRequest.Builder fetch = HttpRequest.newBuilder(URI.create(instance + "/api/v1/device/payload"))
                .header("Authorization", "Bearer " + device.token()).header("Accept", "application/pkcs7-mime")
                .GET();
        String etag = etags.get(device.index());
        if (etag != null) {
            fetch.header("If-None-Match", etag);
        }
        Exchange payload = exchange("payload", device, 0, instance, fetch);
        if (payload.status() == 200) {
            // remembered only once accepted, as an agent does (the bytes are not verified here: load, not trust)
            Optional.ofNullable(payload.body()).ifPresent(tag -> etags.put(device.index(), tag));
        }
        long seq = sequences.computeIfAbsent(device.index(), i -> new AtomicLong()).incrementAndGet();
        String report;
        try {
            report = JSON.writeValueAsString(Map.of("payloadVersion", seq, "installed", List.of(), "apiLevel", 95));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        java.util.concurrent.atomic.AtomicInteger inFlight = reportsInFlight.computeIfAbsent(instance,
                i -> new java.util.concurrent.atomic.AtomicInteger());
        inFlight.incrementAndGet();
        try {
            exchange("report", device, seq, instance, HttpRequest.newBuilder(URI.create(instance
                            + "/api/v1/device/reports")).header("Authorization", "Bearer " + device.token())
                    .header("Content-Type", "application/json").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(report)));
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private Exchange exchange(String operation, Device device, long seq, String instance,
            HttpRequest.Builder request) {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        Exchange x;
        try {
            HttpResponse<byte[]> r = http.send(request.timeout(REQUEST_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            String type = r.headers().firstValue("Content-Type").orElse("");
            String problemType = null;
            String body = null;
            if (type.startsWith("application/problem+json")) {
                body = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
                JsonNode problem = JSON.readTree(body);
                problemType = problem.path("type").asText(null);
            } else if (operation.equals("payload")) {
                body = r.headers().firstValue("ETag").orElse(null); // what the next fetch sends back
            }
            x = new Exchange(operation, device.index(), seq, instance, started,
                    Duration.ofNanos(System.nanoTime() - t0), r.statusCode(), type,
                    r.headers().firstValue("Retry-After").orElse(null), problemType, body, null);
        } catch (IOException e) {
            x = new Exchange(operation, device.index(), seq, instance, started,
                    Duration.ofNanos(System.nanoTime() - t0), 0, null, null, null, null,
                    e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        exchanges.add(x);
        return x;
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
