package org.trustfleet.core;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Every {@code trustfleet.*} setting in one place, each with a safe default; the README table is generated from
 * these Javadoc lines by hand, so keep them in step.
 */
@ConfigMapping(prefix = "trustfleet")
public interface TrustfleetConfig {

    /** Directory for the embedded database and generated secrets (operator token, master key). */
    @WithDefault("./data")
    String dataDir();

    /**
     * Bootstrap operator bearer token. When unset, one is generated at first start into
     * {@code <data-dir>/operator-token} (owner-only permissions) and only its location is logged.
     */
    Optional<String> operatorToken();

    /** API settings. */
    Api api();

    /** Scanner settings. */
    Scanner scanner();

    /** Settings of the REST API edge. */
    interface Api {
        /** Largest accepted request body in bytes; larger bodies get 413. */
        @WithDefault("1048576")
        int maxBodyBytes();
    }

    /** Settings of the TLS chain scanner. */
    interface Scanner {
        /**
         * Allow scanning loopback, private, link-local and other non-public addresses. Off by default so that a
         * tenant cannot use the scanner to reach the deployment's internal network; set true for tests and
         * on-premises use.
         */
        @WithDefault("false")
        boolean allowPrivateAddresses();

        /** TCP connect timeout per endpoint. */
        @WithDefault("5s")
        Duration connectTimeout();

        /** TLS handshake timeout per endpoint (a server that accepts and never answers costs this much). */
        @WithDefault("10s")
        Duration handshakeTimeout();

        /** Maximum number of endpoint scans running at once in this process (scheduled and on demand). */
        @WithDefault("8")
        int concurrency();

        /** Delay before the first scheduled scan of a new or changed endpoint. */
        @WithDefault("10s")
        Duration firstScanDelay();

        /**
         * Length of one unit of an endpoint's {@code scanIntervalMinutes}. Always a minute in production; tests
         * shorten it to watch several scheduled rounds in seconds.
         */
        @WithDefault("1m")
        Duration intervalUnit();

        /** Maximum bytes of one AIA caIssuers response. */
        @WithDefault("65536")
        int aiaMaxBytes();

        /** Timeout of one AIA fetch. */
        @WithDefault("5s")
        Duration aiaTimeout();

        /** Maximum issuers fetched by AIA above one certificate. */
        @WithDefault("4")
        int aiaMaxHops();
    }
}
