package org.trustfleet.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}) run as a separate process, as an operator runs
 * it: for restart, multi-instance and kill tests that an in-JVM test cannot do.
 */
public final class ServiceProcess implements AutoCloseable {
    /** Quarkus's start line, with the port the service actually bound (in text or JSON logs). */
    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^\\s\"/]+:(\\d+)");
    /** Only a hung start reaches this: a CI machine running other builds has taken over a minute to start. */
    private static final Duration START_BOUND = Duration.ofMinutes(5);

    private final Process process;
    private final Path logFile;
    private int port;

    private ServiceProcess(Process process, Path logFile) {
        this.process = process;
        this.logFile = logFile;
    }

    /** Starts the service on its embedded database in {@code dataDir}. */
    public static ServiceProcess start(Path dataDir) throws Exception {
        return start(dataDir, Map.of());
    }

    /** Starts the service with extra {@code -D} settings (e.g. an external database URL). */
    public static ServiceProcess start(Path dataDir, Map<String, String> settings) throws Exception {
        String jar = System.getProperty("trustfleet.test.app-jar", "target/quarkus-app/quarkus-run.jar");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                // the service binds a free port itself and says which: no window for another process to take it
                "-Dquarkus.http.port=0",
                "-Dtrustfleet.data-dir=" + dataDir.toAbsolutePath()));
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        // extra JVM options for benchmarks (e.g. a JFR recording), space-separated
        for (String option : System.getProperty("trustfleet.test.service-jvm-options", "").trim().split("\\s+")) {
            if (!option.isEmpty()) {
                command.add(option);
            }
        }
        command.addAll(List.of("-jar", jar));
        Path log = Files.createTempFile(Path.of("target"), "service-", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        ServiceProcess service = new ServiceProcess(process, log);
        service.awaitReady(START_BOUND);
        return service;
    }

    public String baseUrl() {
        return "http://localhost:" + port;
    }

    public String log() throws IOException {
        return Files.readString(logFile);
    }

    public long pid() {
        return process.pid();
    }

    /** Kills the process without a graceful shutdown, as a crashed machine would. */
    public void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor();
    }

    private void awaitReady(Duration timeout) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("service exited with " + process.exitValue() + ":\n" + log());
            }
            if (port == 0) {
                Matcher listening = LISTENING.matcher(log());
                if (!listening.find()) {
                    Thread.sleep(250);
                    continue;
                }
                port = Integer.parseInt(listening.group(1));
            }
            try {
                HttpResponse<String> ready = client.send(
                        HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        close();
        throw new IllegalStateException("service not ready within " + timeout + ":\n" + log());
    }

    /** Graceful stop (SIGTERM), as systemd or Kubernetes would. */
    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(java.util.concurrent.TimeUnit.SECONDS.toSeconds(30),
                    java.util.concurrent.TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
