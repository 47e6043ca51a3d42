package org.trustfleet.scan;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.trustfleet.core.TrustfleetConfig;

/**
 * The scanner's two kinds of capacity, limited apart: sockets in flight (high: a probe waiting on a slow or silent
 * server costs a socket and a virtual thread, nothing else), with at most a few at once per IP address, and CPU work
 * (validating a chain, storing a result: about the core count). So latency and black holes cost waiting, not
 * throughput, and the CPU is never oversubscribed by scans that happen to finish their handshakes together. A third
 * limit, on the scheduled scans of endpoints known to be silent ({@link SilentScanGate}), keeps those (fired first
 * when a fleet is due at once, see {@link ScanScheduler}) to a share of the sockets while others are probed.
 */
final class ScanLimits {
    private final Semaphore probes;
    private final AddressLimiter perAddress;
    private final Semaphore cpu;
    private final int cpuPermits;
    private final SilentScanGate silentScans;

    ScanLimits(int maxProbesInFlight, int maxProbesPerAddress, int cpuConcurrency) {
        this(maxProbesInFlight, maxProbesPerAddress, cpuConcurrency, defaultSilentScans(maxProbesInFlight),
                Duration.ofSeconds(10), System::nanoTime);
    }

    /**
     * @param maxSilentScans silent endpoints' scans at once while other probes run
     * @param quiet          how long no other probe must have started before silent scans may go beyond that
     */
    ScanLimits(int maxProbesInFlight, int maxProbesPerAddress, int cpuConcurrency, int maxSilentScans,
            Duration quiet, LongSupplier nanoTime) {
        if (maxProbesInFlight < 1 || cpuConcurrency < 1) {
            throw new IllegalArgumentException("trustfleet.scanner.max-probes-in-flight and "
                    + "trustfleet.scanner.cpu-concurrency must be at least 1");
        }
        this.probes = new Semaphore(maxProbesInFlight, true);
        this.perAddress = new AddressLimiter(maxProbesPerAddress);
        this.cpu = new Semaphore(cpuConcurrency, true);
        this.cpuPermits = cpuConcurrency;
        // beyond their share, silent scans leave an eighth of the sockets to whatever comes next
        this.silentScans = new SilentScanGate(maxSilentScans, maxProbesInFlight - maxProbesInFlight / 8, quiet,
                nanoTime);
    }

    static ScanLimits of(TrustfleetConfig.Scanner scanner) {
        return new ScanLimits(scanner.maxProbesInFlight(), scanner.maxProbesPerAddress(),
                scanner.cpuConcurrency().orElse(Runtime.getRuntime().availableProcessors()),
                scanner.maxSilentScans().orElse(defaultSilentScans(scanner.maxProbesInFlight())),
                scanner.handshakeTimeout(), System::nanoTime);
    }

    /**
     * Half of the sockets: while the rest of a sweep is probed it keeps the other half (a sweep on two cores has
     * about 200 answering probes in flight with internet latency), and the silent endpoints get about what they
     * would take if they were fired in no particular order.
     */
    static int defaultSilentScans(int maxProbesInFlight) {
        return Math.max(1, maxProbesInFlight / 2);
    }

    /** Runs the scheduled scan of an endpoint known to be silent once {@link SilentScanGate} admits it. */
    <T> T silentScan(Supplier<T> work) {
        return silentScans.run(work);
    }

    /**
     * Runs one probe against {@code address} once both its address's slot and a socket slot are free. The address
     * slot is taken first, so a probe waiting for politeness does not hold one of the global slots meanwhile.
     */
    <T> T probe(String address, Supplier<T> work) {
        silentScans.probeStarts();
        try (AddressLimiter.Slot slot = perAddress.acquire(address)) {
            probes.acquireUninterruptibly();
            try {
                return work.get();
            } finally {
                probes.release();
            }
        }
    }

    /** Runs validation or storage work within the CPU limit. */
    <T> T cpuWork(Supplier<T> work) {
        cpu.acquireUninterruptibly();
        try {
            return work.get();
        } finally {
            cpu.release();
        }
    }

    int cpuConcurrency() {
        return cpuPermits;
    }

    /** Silent endpoints' scans waiting to be admitted now (a gauge). */
    int silentScansWaiting() {
        return silentScans.waiting();
    }

    /** Silent endpoints' scans admitted now (a gauge). */
    int silentScansRunning() {
        return silentScans.running();
    }

    AddressLimiter perAddress() {
        return perAddress;
    }
}
