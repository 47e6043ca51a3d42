package org.trustfleet.scan;

import java.time.Duration;
import java.util.Objects;
import org.trustfleet.core.TrustfleetConfig;

/**
 * Scanner limits in one immutable value so that probe, guard and AIA fetcher share one configuration source, built
 * from {@link TrustfleetConfig.Scanner} (which holds the defaults) by {@link #of}.
 *
 * @param connectTimeout        TCP connect budget per address; also bounds one DNS lookup
 * @param handshakeTimeout      hard budget for the whole TLS handshake after TCP connect
 * @param allowPrivateAddresses {@code true} only for tests and on-premises deployments
 * @param aiaMaxBytes           largest AIA response body accepted
 * @param aiaTimeout            hard budget for one AIA URL (connect, request, full response)
 * @param aiaMaxHops            how many issuers {@link AiaFetcher#complete(java.security.cert.X509Certificate)} follows
 * @param aia                   what one scan may spend on AIA and where AIA may go
 */
public record ScannerSettings(
        Duration connectTimeout,
        Duration handshakeTimeout,
        boolean allowPrivateAddresses,
        int aiaMaxBytes,
        Duration aiaTimeout,
        int aiaMaxHops,
        AiaLimits aia) {

    /**
     * The per-scan bounds of AIA completion and its own address rule (see {@link TrustfleetConfig.Scanner.Aia}).
     *
     * @param scanDeadline              one deadline for every AIA fetch of one scan
     * @param maxFetchesPerScan         most URLs one scan fetches over the network
     * @param maxFetchesPerHop          most URLs fetched over the network for one certificate's issuer
     * @param allowLoopbackAndLinkLocal AIA may reach loopback and link-local addresses (only where private addresses
     *                                  are allowed at all)
     */
    public record AiaLimits(Duration scanDeadline, int maxFetchesPerScan, int maxFetchesPerHop,
            boolean allowLoopbackAndLinkLocal) {
        public AiaLimits {
            Objects.requireNonNull(scanDeadline, "scanDeadline");
            requirePositive(scanDeadline, "scanDeadline");
            if (maxFetchesPerScan < 1) {
                throw new IllegalArgumentException("maxFetchesPerScan must be at least 1: " + maxFetchesPerScan);
            }
            if (maxFetchesPerHop < 1) {
                throw new IllegalArgumentException("maxFetchesPerHop must be at least 1: " + maxFetchesPerHop);
            }
        }

        /** The same bounds with loopback and link-local AIA allowed or not. */
        public AiaLimits withLoopbackAndLinkLocal(boolean allowed) {
            return new AiaLimits(scanDeadline, maxFetchesPerScan, maxFetchesPerHop, allowed);
        }

        static AiaLimits of(TrustfleetConfig.Scanner.Aia aia) {
            return new AiaLimits(aia.scanDeadline(), aia.maxFetchesPerScan(), aia.maxFetchesPerHop(),
                    aia.allowLoopbackAndLinkLocal());
        }
    }

    public ScannerSettings {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(aiaTimeout, "aiaTimeout");
        Objects.requireNonNull(aia, "aia");
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(handshakeTimeout, "handshakeTimeout");
        requirePositive(aiaTimeout, "aiaTimeout");
        if (aiaMaxBytes <= 0) {
            throw new IllegalArgumentException("aiaMaxBytes must be positive: " + aiaMaxBytes);
        }
        if (aiaMaxHops < 0) {
            throw new IllegalArgumentException("aiaMaxHops must not be negative: " + aiaMaxHops);
        }
    }

    /** The settings of {@code trustfleet.scanner.*}; the defaults live there, in one place. */
    public static ScannerSettings of(TrustfleetConfig.Scanner scanner) {
        return new ScannerSettings(scanner.connectTimeout(), scanner.handshakeTimeout(),
                scanner.allowPrivateAddresses(), scanner.aiaMaxBytes(), scanner.aiaTimeout(), scanner.aiaMaxHops(),
                AiaLimits.of(scanner.aia()));
    }

    /** These settings with private addresses allowed or not (AIA's own rule for loopback and link-local kept). */
    public ScannerSettings withPrivateAddresses(boolean allowed) {
        return new ScannerSettings(connectTimeout, handshakeTimeout, allowed, aiaMaxBytes, aiaTimeout, aiaMaxHops, aia);
    }

    /** These settings with other AIA bounds. */
    public ScannerSettings withAia(AiaLimits limits) {
        return new ScannerSettings(connectTimeout, handshakeTimeout, allowPrivateAddresses, aiaMaxBytes, aiaTimeout,
                aiaMaxHops, limits);
    }

    private static void requirePositive(Duration d, String name) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
