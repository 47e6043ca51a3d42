package org.trustfleet.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The scanner's limits: per-address politeness, sockets in flight and CPU work, each counted while held. */
class ScanLimitsTest {

    /** Counts how many tasks are inside at once, per key, and holds them until released. */
    private static final class Gate {
        final CountDownLatch release = new CountDownLatch(1);
        final Map<String, AtomicInteger> inside = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> peak = new ConcurrentHashMap<>();

        <T> T hold(String key, T value) {
            int now = inside.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            peak.computeIfAbsent(key, k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inside.get(key).decrementAndGet();
            }
            return value;
        }

        int inside(String key) {
            AtomicInteger n = inside.get(key);
            return n == null ? 0 : n.get();
        }
    }

    @Test
    void atMostTheConfiguredNumberOfProbesPerAddressWhileOtherAddressesGoOn() throws Exception {
        ScanLimits limits = new ScanLimits(100, 2, 1);
        Gate gate = new Gate();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            threads.add(Thread.ofVirtual().start(() -> limits.probe("192.0.2.1", () -> gate.hold("192.0.2.1", 1))));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> gate.inside("192.0.2.1") == 2);
        // another address is not held up by the first one's queue
        Thread other = Thread.ofVirtual().start(() -> limits.probe("192.0.2.2", () -> gate.hold("192.0.2.2", 1)));
        await().atMost(Duration.ofSeconds(30)).until(() -> gate.inside("192.0.2.2") == 1);
        assertThat(gate.inside("192.0.2.1")).isEqualTo(2);
        gate.release.countDown();
        for (Thread t : threads) {
            t.join();
        }
        other.join();
        assertThat(gate.peak.get("192.0.2.1").get()).isEqualTo(2);
        // nothing is kept for addresses with no probe under way
        assertThat(limits.perAddress().addressesInUse()).isZero();
    }

    @Test
    void socketsInFlightAndCpuWorkAreLimitedApart() throws Exception {
        ScanLimits limits = new ScanLimits(3, 100, 1);
        Gate gate = new Gate();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String address = "198.51.100." + i;
            threads.add(Thread.ofVirtual().start(() -> limits.probe(address, () -> gate.hold("probes", 1))));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> gate.inside("probes") == 3);
        // CPU work is not blocked by the sockets in flight, and is limited on its own
        List<Thread> cpu = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            cpu.add(Thread.ofVirtual().start(() -> limits.cpuWork(() -> gate.hold("cpu", 1))));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> gate.inside("cpu") == 1);
        gate.release.countDown();
        for (Thread t : threads) {
            t.join();
        }
        for (Thread t : cpu) {
            t.join();
        }
        assertThat(gate.peak.get("probes").get()).isEqualTo(3);
        assertThat(gate.peak.get("cpu").get()).isEqualTo(1);
    }

    @Test
    void scansOfSilentEndpointsAreLimitedApartAndDoNotHoldUpTheRest() throws Exception {
        // never quiet enough to go beyond the share
        ScanLimits limits = new ScanLimits(100, 100, 1, 2, Duration.ofHours(1), System::nanoTime);
        Gate gate = new Gate();
        List<Thread> silent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String address = "203.0.113." + i;
            silent.add(Thread.ofVirtual().start(() -> limits.silentScan(
                    () -> limits.probe(address, () -> gate.hold("silent", 1)))));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> gate.inside("silent") == 2);
        // an endpoint that answers is scanned meanwhile: the silent ones queue only for their own places
        Thread answering = Thread.ofVirtual().start(() -> limits.probe("192.0.2.9", () -> gate.hold("answering", 1)));
        await().atMost(Duration.ofSeconds(30)).until(() -> gate.inside("answering") == 1);
        assertThat(gate.inside("silent")).isEqualTo(2);
        gate.release.countDown();
        for (Thread t : silent) {
            t.join();
        }
        answering.join();
        assertThat(gate.peak.get("silent").get()).isEqualTo(2);
        assertThat(limits.silentScansRunning()).isZero();
    }

    @Test
    void silentScansGoBeyondTheirShareOnlyOnceNoOtherProbeHasStartedForTheQuietTime() throws Exception {
        AtomicLong now = new AtomicLong();
        Duration quiet = Duration.ofSeconds(10);
        // 16 sockets: beyond the share of 1, silent scans may take 14 (an eighth is left for what comes next)
        ScanLimits limits = new ScanLimits(16, 100, 1, 1, quiet, now::get);
        Gate gate = new Gate();
        List<Thread> silent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String address = "203.0.113." + i;
            silent.add(Thread.ofVirtual().start(() -> limits.silentScan(
                    () -> limits.probe(address, () -> gate.hold("silent", 1)))));
        }
        // every scan has arrived (an arrival counts as activity) before the clock moves
        await().atMost(Duration.ofSeconds(30))
                .until(() -> gate.inside("silent") == 1 && limits.silentScansWaiting() == 19);
        // another probe starts just before the quiet time would be over: still the share only
        now.addAndGet(quiet.toNanos() - 1);
        Thread answering = Thread.ofVirtual().start(() -> limits.probe("192.0.2.9", () -> 1));
        answering.join();
        now.addAndGet(quiet.toNanos() - 1);
        Thread.sleep(300); // three of the waiting scans' checks (every 100 ms)
        assertThat(gate.inside("silent")).isEqualTo(1);
        // quiet for the whole time since that probe: the waiting ones go in, up to the ceiling
        now.addAndGet(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> gate.inside("silent") == 14);
        Thread.sleep(300);
        assertThat(gate.peak.get("silent").get()).isEqualTo(14);
        gate.release.countDown();
        for (Thread t : silent) {
            t.join();
        }
        assertThat(limits.silentScansRunning()).isZero();
    }

    @Test
    void silentScansDefaultToHalfTheSockets() {
        assertThat(ScanLimits.defaultSilentScans(512)).isEqualTo(256);
        assertThat(ScanLimits.defaultSilentScans(1)).isEqualTo(1);
    }
}
