package org.trustfleet.scan;

import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.trustfleet.core.TrustfleetConfig;

/**
 * The scanner's two kinds of capacity, limited apart: sockets in flight (high: a probe waiting on a slow or silent
 * server costs a socket and a virtual thread, nothing else), with at most a few at once per IP address, and CPU work
 * (validating a chain, storing a result: about the core count). So latency and black holes cost waiting, not
 * throughput, and the CPU is never oversubscribed by scans that happen to finish their handshakes together.
 */
final class ScanLimits {
    private final Semaphore probes;
    private final AddressLimiter perAddress;
    private final Semaphore cpu;
    private final int cpuPermits;

    ScanLimits(int maxProbesInFlight, int maxProbesPerAddress, int cpuConcurrency) {
        if (maxProbesInFlight < 1 || cpuConcurrency < 1) {
            throw new IllegalArgumentException("trustfleet.scanner.max-probes-in-flight and "
                    + "trustfleet.scanner.cpu-concurrency must be at least 1");
        }
        this.probes = new Semaphore(maxProbesInFlight, true);
        this.perAddress = new AddressLimiter(maxProbesPerAddress);
        this.cpu = new Semaphore(cpuConcurrency, true);
        this.cpuPermits = cpuConcurrency;
    }

    static ScanLimits of(TrustfleetConfig.Scanner scanner) {
        return new ScanLimits(scanner.maxProbesInFlight(), scanner.maxProbesPerAddress(),
                scanner.cpuConcurrency().orElse(Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Runs one probe against {@code address} once both its address's slot and a socket slot are free. The address
     * slot is taken first, so a probe waiting for politeness does not hold one of the global slots meanwhile.
     */
    <T> T probe(String address, Supplier<T> work) {
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

    AddressLimiter perAddress() {
        return perAddress;
    }
}
