import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.trustfleet.scan.ProbePair;
import org.trustfleet.scan.ProbeTarget;
import org.trustfleet.scan.ScannerSettings;
import org.trustfleet.scan.TlsProbe;

/**
 * The service's TLS probe alone, outside the service (bench/scan/run.sh, phase c): CONCURRENCY threads run
 * {@code TlsProbe.probeBoth} against the endpoints, with and without SNI as a scan does, but without validation,
 * storage or HTTP. It shows what the two JSSE handshakes of a scan cost by themselves.
 *
 * <pre>
 * java -cp APP_JAR:LIB/* ProbeBench.java PORTS_FILE SERVER_NAME CONCURRENCY WARM_SECONDS SECONDS
 * </pre>
 *
 * Prints {@code probes=... handshakes=... seconds=... handshakesPerSecond=... failed=... jvmCpuMsPerHandshake=...}
 * for the measured part (the CPU of this whole JVM, all threads, while it measured).
 */
public final class ProbeBench {
    public static void main(String[] args) throws Exception {
        List<Integer> ports = Files.readAllLines(Path.of(args[0])).stream().filter(l -> !l.isBlank())
                .map(l -> Integer.parseInt(l.strip())).toList();
        String serverName = args[1];
        int concurrency = Integer.parseInt(args[2]);
        long warmNanos = Long.parseLong(args[3]) * 1_000_000_000L;
        long measureNanos = Long.parseLong(args[4]) * 1_000_000_000L;
        TlsProbe probe = new TlsProbe(ScannerSettings.defaults().withAllowPrivateAddresses(true));

        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        run(probe, ports, serverName, concurrency, warmNanos); // JIT warm-up, not counted
        long start = System.nanoTime();
        long cpuStart = os.getProcessCpuTime();
        long[] counts = run(probe, ports, serverName, concurrency, measureNanos);
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuMs = (os.getProcessCpuTime() - cpuStart) / 1e6;
        System.out.printf("probes=%d handshakes=%d seconds=%.2f handshakesPerSecond=%.1f failed=%d "
                + "jvmCpuMsPerHandshake=%.2f%n", counts[0], 2 * counts[0], seconds, 2 * counts[0] / seconds, counts[1],
                counts[0] == 0 ? 0 : cpuMs / (2 * counts[0]));
    }

    /** @return {probe pairs done, pairs where either handshake failed} */
    private static long[] run(TlsProbe probe, List<Integer> ports, String serverName, int concurrency, long nanos)
            throws Exception {
        AtomicLong next = new AtomicLong();
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + nanos;
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<?>> workers = new java.util.ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                workers.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        int port = ports.get((int) (next.getAndIncrement() % ports.size()));
                        ProbePair pair = probe.probeBoth(ProbeTarget.of("127.0.0.1", port, serverName));
                        done.incrementAndGet();
                        if (!pair.withSni().isOk() || !pair.withoutSni().isOk()) {
                            failed.incrementAndGet();
                        }
                    }
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return new long[] {done.get(), failed.get()};
    }
}
