package org.trustfleet.scan;

import java.time.Duration;
import java.util.Objects;

/**
 * Scanner limits in one immutable value so that probe, guard and AIA fetcher share one configuration source.
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

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_AIA_MAX_BYTES = 65_536;
    public static final Duration DEFAULT_AIA_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_AIA_MAX_HOPS = 4;

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

    /** Production defaults: 5 s connect, 10 s handshake, private addresses refused, 64 KiB, 5 s, 4 hops. */
    public static ScannerSettings defaults() {
        return new ScannerSettings(DEFAULT_CONNECT_TIMEOUT, DEFAULT_HANDSHAKE_TIMEOUT, false,
                DEFAULT_AIA_MAX_BYTES, DEFAULT_AIA_TIMEOUT, DEFAULT_AIA_MAX_HOPS);
    }

    public ScannerSettings withConnectTimeout(Duration value) {
        return new ScannerSettings(value, handshakeTimeout, allowPrivateAddresses, aiaMaxBytes, aiaTimeout, aiaMaxHops);
    }

    public ScannerSettings withHandshakeTimeout(Duration value) {
        return new ScannerSettings(connectTimeout, value, allowPrivateAddresses, aiaMaxBytes, aiaTimeout, aiaMaxHops);
    }

    public ScannerSettings withAllowPrivateAddresses(boolean value) {
        return new ScannerSettings(connectTimeout, handshakeTimeout, value, aiaMaxBytes, aiaTimeout, aiaMaxHops);
    }

    public ScannerSettings withAiaMaxBytes(int value) {
        return new ScannerSettings(connectTimeout, handshakeTimeout, allowPrivateAddresses, value, aiaTimeout, aiaMaxHops);
    }

    public ScannerSettings withAiaTimeout(Duration value) {
        return new ScannerSettings(connectTimeout, handshakeTimeout, allowPrivateAddresses, aiaMaxBytes, value, aiaMaxHops);
    }

    public ScannerSettings withAiaMaxHops(int value) {
        return new ScannerSettings(connectTimeout, handshakeTimeout, allowPrivateAddresses, aiaMaxBytes, aiaTimeout, value);
    }

    private static void requirePositive(Duration d, String name) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
