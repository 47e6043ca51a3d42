package org.trustfleet.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.net.InetAddress;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.FindingCode;
import org.trustfleet.pki.TestPki;

/**
 * The probes of one scan against real loopback servers: a silent server costs one handshake timeout, and the probe
 * without SNI runs only when its answer may have changed, without losing SNI_REQUIRED in between.
 */
class ScanProbesTest {
    private static final String NAME = "sts.probes.test";
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(4);
    private static final ScannerSettings SETTINGS = ScannerTestSettings.with(Map.of(
            "allow-private-addresses", "true", "connect-timeout", "2s",
            "handshake-timeout", HANDSHAKE_TIMEOUT.toSeconds() + "s"));

    /** A clock the test moves by hand. */
    private static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final TestClock clock = new TestClock();
    private final AddressGuard guard = new AddressGuard(SETTINGS);
    private final ScanProbes probes = new ScanProbes(new TlsProbe(SETTINGS, guard), new ScanLimits(16, 2, 2),
            Duration.ofHours(24), 100, clock);

    @Test
    void aSilentServerCostsOneHandshakeTimeout() throws Exception {
        try (TestTlsServer silent = TestTlsServer.silent()) {
            long t0 = System.nanoTime();
            ScanProbes.Probed probed = probes.probe(UUID.randomUUID(),
                    ProbeTarget.of("127.0.0.1", silent.port(), NAME));
            Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(probed.primary().status()).isEqualTo(ProbeStatus.HANDSHAKE_FAILED);
            assertThat(probed.primary().errorDetail()).contains("timed out");
            assertThat(probed.sniFinding()).isEmpty();
            assertThat(probed.noSniProbed()).isFalse();
            // one probe, not two: the server saw one connection, and the scan waited one timeout, not two
            assertThat(silent.connections()).isEqualTo(1);
            assertThat(elapsed).isGreaterThanOrEqualTo(HANDSHAKE_TIMEOUT).isLessThan(HANDSHAKE_TIMEOUT.multipliedBy(2));
        }
    }

    @Test
    void aServerThatStartsRequiringSniIsReportedAndTheFindingIsKeptBetweenFullProbes() throws Exception {
        TestPki.Cert root = TestPki.root("Probes Root");
        TestPki.Cert intermediate = root.issueIntermediate("Probes CA");
        TestPki.Cert before = intermediate.issueLeaf(NAME);
        TestPki.Cert after = intermediate.issueLeaf(NAME);
        UUID endpoint = UUID.randomUUID();
        try (TestTlsServer plain = TestTlsServer.tls(TestPki.certs(before, intermediate),
                        before.keyPair().getPrivate());
                TestTlsServer sniOnly = TestTlsServer.sniDependent(NAME, TestPki.certs(after, intermediate),
                        after.keyPair().getPrivate(), null, null);
                TcpRelay relay = new TcpRelay(plain.port())) {
            ProbeTarget target = ProbeTarget.of("127.0.0.1", relay.port(), NAME);

            ScanProbes.Probed first = probes.probe(endpoint, target);
            assertThat(first.primary().isOk()).isTrue();
            assertThat(first.noSniProbed()).isTrue();
            assertThat(first.sniFinding()).isEmpty();

            // same chain: the last answer without SNI is reused, the server sees only the SNI probe
            int connections = plain.connections();
            ScanProbes.Probed second = probes.probe(endpoint, target);
            assertThat(second.noSniProbed()).isFalse();
            assertThat(second.noSniReused()).isTrue();
            assertThat(second.sniFinding()).isEmpty();
            assertThat(plain.connections()).isEqualTo(connections + 1);

            // the server is replaced by one that answers only with SNI, with a new certificate: the changed chain
            // makes the scan probe without SNI again
            relay.switchTo(sniOnly.port());
            ScanProbes.Probed third = probes.probe(endpoint, target);
            assertThat(third.primary().isOk()).isTrue();
            assertThat(third.noSniProbed()).isTrue();
            assertThat(third.sniFinding()).hasValueSatisfying(f -> assertThat(f.code())
                    .isEqualTo(FindingCode.SNI_REQUIRED));

            // next scans: the finding is kept without the second probe
            connections = sniOnly.connections();
            ScanProbes.Probed fourth = probes.probe(endpoint, target);
            assertThat(fourth.noSniReused()).isTrue();
            assertThat(fourth.sniFinding()).isEqualTo(third.sniFinding());
            assertThat(sniOnly.connections()).isEqualTo(connections + 1);

            // and once the interval has passed, the probe without SNI runs again even though nothing changed
            clock.now = clock.now.plus(Duration.ofHours(25));
            ScanProbes.Probed fifth = probes.probe(endpoint, target);
            assertThat(fifth.noSniProbed()).isTrue();
            assertThat(fifth.sniFinding()).hasValueSatisfying(f -> assertThat(f.code())
                    .isEqualTo(FindingCode.SNI_REQUIRED));
            assertThat(sniOnly.connections()).isEqualTo(connections + 3);
        }
    }

    @Test
    void aScanResolvesItsHostOnceAndBothProbesConnectToTheCheckedAddress() throws Exception {
        TestPki.Cert root = TestPki.root("Resolve Once Root");
        TestPki.Cert leaf = root.issueLeaf(NAME);
        AtomicInteger lookups = new AtomicInteger();
        AddressGuard counting = new AddressGuard(true, host -> {
            lookups.incrementAndGet();
            return new InetAddress[] {InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})};
        }, Duration.ofSeconds(2));
        ScanProbes once = new ScanProbes(new TlsProbe(SETTINGS, counting), new ScanLimits(16, 2, 2),
                Duration.ofHours(24), 100, clock);
        try (TestTlsServer server = TestTlsServer.tls(TestPki.certs(leaf, root), leaf.keyPair().getPrivate())) {
            ScanProbes.Probed probed = once.probe(UUID.randomUUID(), ProbeTarget.of("once.probes.test",
                    server.port(), NAME));

            // both probes ran (no answer without SNI is known yet), against the address the one look-up returned
            assertThat(probed.primary().isOk()).isTrue();
            assertThat(probed.noSniProbed()).isTrue();
            assertThat(server.connections()).isEqualTo(2);
            assertThat(probed.primary().address().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(lookups.get()).as("DNS look-ups of one scan").isEqualTo(1);
        }
    }
}
