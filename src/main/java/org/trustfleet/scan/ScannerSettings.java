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
 */
public record ScannerSettings(
        Duration connectTimeout,
        Duration handshakeTimeout,
        boolean allowPrivateAddresses,
        int aiaMaxBytes,
        Duration aiaTimeout,
        int aiaMaxHops) {

    public ScannerSettings {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(aiaTimeout, "aiaTimeout");
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
                scanner.allowPrivateAddresses(), scanner.aiaMaxBytes(), scanner.aiaTimeout(), scanner.aiaMaxHops());
    }

    private static void requirePositive(Duration d, String name) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
