package org.trustfleet.scan;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.trustfleet.cache.BoundedCache;
import org.trustfleet.cache.Caches;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.Sha256;

/**
 * The probes of one scan, within the scanner's limits ({@link ScanLimits}): the probe with SNI, then the probe
 * without SNI only when its answer may have changed.
 *
 * <ul>
 *   <li>A silent server costs one handshake timeout, not two: when the probe with SNI failed after spending its whole
 *       handshake budget, the probe without SNI is skipped (SNI_REQUIRED needs a working SNI handshake, so it cannot
 *       be missed this way).</li>
 *   <li>The probe without SNI exists to find SNI_REQUIRED. It runs when the chain sent with SNI differs from the one
 *       it was last run against, when the probe with SNI failed at the TLS level (the endpoint may answer only without
 *       SNI), and at least every {@code no-sni-probe-interval}; otherwise its last finding is reused, so the finding
 *       is never lost between full probes.</li>
 * </ul>
 */
final class ScanProbes {

    /** What the scan judges: the probe whose chain is evaluated, and the SNI_REQUIRED finding if any. */
    record Probed(ProbeResult primary, Optional<Finding> sniFinding, boolean noSniProbed, boolean noSniReused) {}

    /** The last no-SNI answer for an endpoint, valid while the SNI chain and the target stay the same. */
    private record NoSniMemo(String target, String sniChain, Instant probedAt, Optional<Finding> finding) {}

    private final TlsProbe probe;
    private final ScanLimits limits;
    private final Duration noSniInterval;
    private final Clock clock;
    private final BoundedCache<UUID, NoSniMemo> memos;

    ScanProbes(TlsProbe probe, ScanLimits limits, Duration noSniInterval, int maxEntries,
            Clock clock) {
        this.probe = Objects.requireNonNull(probe, "probe");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.noSniInterval = Objects.requireNonNull(noSniInterval, "noSniInterval");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.memos = Caches.bounded("no-sni-findings", maxEntries);
    }

    /** Probes the endpoint {@code endpointId} at {@code target}. Never throws for network or TLS problems. */
    Probed probe(UUID endpointId, ProbeTarget target) {
        // resolved once: both probes and the politeness key use the addresses the guard checked
        TlsProbe.Resolution resolution = probe.resolve(target);
        String address = politenessKey(target, resolution);
        ProbeResult withSni = limits.probe(address, () -> probe.probe(target, SniMode.AUTO, resolution));
        if (!probe.noSniProbeNeeded(withSni)) {
            return new Probed(withSni, Optional.empty(), false, false);
        }
        if (!withSni.isOk()) {
            ProbePair pair = new ProbePair(withSni,
                    limits.probe(address, () -> probe.probe(target, SniMode.DISABLED, resolution)));
            memos.invalidate(endpointId);
            return new Probed(pair.primary(), pair.sniFinding(), true, false);
        }
        String sniChain = Sha256.ofChain(withSni.chain());
        Instant now = Instant.now(clock);
        NoSniMemo memo = memos.get(endpointId);
        if (memo != null && memo.target().equals(target.toString()) && memo.sniChain().equals(sniChain)
                && now.isBefore(memo.probedAt().plus(noSniInterval))) {
            return new Probed(withSni, memo.finding(), false, true);
        }
        ProbePair pair = new ProbePair(withSni,
                limits.probe(address, () -> probe.probe(target, SniMode.DISABLED, resolution)));
        memos.put(endpointId, new NoSniMemo(target.toString(), sniChain, now, pair.sniFinding()));
        return new Probed(pair.primary(), pair.sniFinding(), true, false);
    }

    /** How the endpoint answered these probes: silent when the probe whose chain is judged timed out. */
    Responsiveness responsiveness(Probed probed) {
        return probe.silent(probed.primary()) ? Responsiveness.SILENT : Responsiveness.ANSWERED;
    }

    /** Forgets what was learnt about an endpoint (deleted or changed). */
    void forget(UUID endpointId) {
        memos.invalidate(endpointId);
    }

    /**
     * The address the probe will connect to, as far as politeness is concerned: the first address the guard resolved
     * (the one the probe tries first), or the host name itself when it did not resolve (the probe then fails without
     * a connection; the key only has to be stable).
     */
    private static String politenessKey(ProbeTarget target, TlsProbe.Resolution resolution) {
        List<InetAddress> addresses = resolution.addresses();
        return addresses.isEmpty() ? target.host().toLowerCase(Locale.ROOT) : addresses.get(0).getHostAddress();
    }

}
