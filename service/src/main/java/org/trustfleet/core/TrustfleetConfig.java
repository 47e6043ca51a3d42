package org.trustfleet.core;

import io.quarkus.runtime.configuration.MemorySize;
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

    /** Drift report settings. */
    Drift drift();

    /** Pasted-chain check settings ({@code POST /api/v1/tenants/{t}/chain-checks}). */
    ChainCheck chainCheck();

    /** Settings of pasted-chain checks: bounds on what a caller may paste, so a check stays cheap. */
    interface ChainCheck {
        /**
         * Most certificates one pasted chain may hold; a longer one gets 400 naming the first block over the limit.
         * Real server chains hold 2-4; Android's own path builder gives up long before 20.
         */
        @WithDefault("20")
        int maxCertificates();

        /**
         * Largest pasted chain in bytes (UTF-8); a larger one gets 400. A request body over
         * {@code trustfleet.api.max-body-bytes} is refused with 413 before it is read.
         */
        @WithDefault("65536")
        int maxBytes();
    }

    /** In-memory caches and their cross-replica invalidation feed. */
    Cache cache();

    /** Embedded database settings (used only when quarkus.datasource.jdbc.url is unset). */
    EmbeddedDb embeddedDb();

    /** Settings of the embedded PostgreSQL. */
    interface EmbeddedDb {
        /** Loopback port of the embedded PostgreSQL; 0 picks a free port at every start. */
        @WithDefault("0")
        int port();
    }

    /** Settings of the drift report. */
    interface Drift {
        /** How far back the drift report lists chain changes. */
        @WithDefault("30d")
        Duration window();

        /** Certificates expiring within this time are listed as expiring. */
        @WithDefault("30d")
        Duration expiryWarning();
    }

    /** Signed payload settings. */
    Payload payload();

    /** Device enrollment settings. */
    Enrollment enrollment();

    /** Enrolled device settings. */
    Device device();

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

        /**
         * Maximum number of endpoint scans under way at once in this process (scheduled and on demand). Scans run on
         * virtual threads and mostly wait on the network; the sockets and the CPU work have their own limits
         * ({@code max-probes-in-flight}, {@code cpu-concurrency}).
         */
        @WithDefault("1024")
        int concurrency();

        /**
         * Maximum number of one tenant's on-demand scans ({@code POST .../scans}) running or waiting at once in this
         * process; more get 429. Keeps one tenant's clicks or scripts from taking every scanner slot (and the
         * request threads waiting for one) from the scheduled scans of all tenants.
         */
        @WithDefault("4")
        int manualScansPerTenant();

        /** Delay before the first scheduled scan of a new or changed endpoint. */
        @WithDefault("10s")
        Duration firstScanDelay();

        /**
         * Length of one unit of an endpoint's {@code scanIntervalMinutes}. Always a minute in production; tests
         * shorten it to watch several scheduled rounds in seconds.
         */
        @WithDefault("1m")
        Duration intervalUnit();

        /** A presented certificate expiring within this time is reported as EXPIRES_SOON. */
        @WithDefault("30d")
        Duration expiresSoon();

        /** Maximum bytes of one AIA caIssuers response. */
        @WithDefault("65536")
        int aiaMaxBytes();

        /** Timeout of one AIA fetch. */
        @WithDefault("5s")
        Duration aiaTimeout();

        /** Maximum issuers fetched by AIA above one certificate. */
        @WithDefault("4")
        int aiaMaxHops();

        /** What one scan may spend on AIA, and where AIA may go ({@code trustfleet.scanner.aia.*}). */
        Aia aia();

        /**
         * Bounds of AIA completion per scan and its own address guard: the caIssuers URLs are chosen by certificate
         * issuers, not by the tenant, so they get less reach than the endpoints themselves.
         */
        interface Aia {
            /**
             * One deadline for all AIA fetches of one scan, whatever the number of certificates and URLs; each fetch
             * also stays within {@code aia-timeout}.
             */
            @WithDefault("10s")
            Duration scanDeadline();

            /** Most caIssuers URLs one scan fetches over the network (cache hits and non-http URLs are free). */
            @WithDefault("6")
            int maxFetchesPerScan();

            /** Most caIssuers URLs fetched over the network for the issuer of one certificate. */
            @WithDefault("2")
            int maxFetchesPerHop();

            /**
             * Let AIA fetches reach loopback and link-local addresses (127/8, ::1, 169.254/16 with cloud metadata,
             * fe80::/10). Off by default, also when {@code allow-private-addresses} is on; has an effect only together
             * with it. For tests and demos whose CA repository runs on the same host.
             */
            @WithDefault("false")
            boolean allowLoopbackAndLinkLocal();
        }

        /**
         * Most TLS probes (open sockets) under way at once in this process. A probe waiting on a slow or silent server
         * costs a socket and a virtual thread, not a platform thread, so this is high: latency and black holes then
         * cost waiting, not throughput.
         */
        @WithDefault("512")
        int maxProbesInFlight();

        /**
         * Most probes under way at once against one IP address (politeness: a host behind many endpoints, or many
         * names on one address, is never hit by more than this many connections from one replica).
         */
        @WithDefault("2")
        int maxProbesPerAddress();

        /**
         * Most scans validating a chain or storing a result at once in this process (CPU and database work). Absent:
         * the number of available processors.
         */
        java.util.OptionalInt cpuConcurrency();

        /**
         * Most scheduled scans under way at once in this process of endpoints whose previous scheduled scan found
         * them silent (connect or handshake timeout), while other probes run. Such endpoints are fired first among
         * those due together, so their timeouts overlap the rest of a sweep instead of ending it; this share keeps
         * them from taking the sockets meanwhile, and a scan waiting for it holds no Quartz worker. Once no other
         * probe has started for one {@code handshake-timeout} (the rest of the sweep is done), they may take up to
         * seven eighths of {@code max-probes-in-flight}. Absent: half of {@code max-probes-in-flight}.
         */
        java.util.OptionalInt maxSilentScans();

        /**
         * The probe without SNI exists to find SNI_REQUIRED. It runs when the SNI chain differs from the one it was
         * last run against, when the probe with SNI failed, and at least this often; otherwise its last finding is
         * reused.
         */
        @WithDefault("24h")
        Duration noSniProbeInterval();

        /**
         * Most endpoints whose last no-SNI finding and last chain verdicts this replica remembers for reuse. An
         * endpoint it does not remember is probed and judged in full, so this bounds memory, not correctness.
         */
        @WithDefault("20000")
        int reuseMaxEntries();
    }

    /** Settings of signed device payloads and their signing keys. */
    interface Payload {
        /**
         * Base64 of the 32-byte AES-256 master key that encrypts the payload signing keys at rest. When unset, one is
         * generated at first start into {@code <data-dir>/payload-master-key} (owner-only permissions). Replicas
         * sharing a database must all be configured with the same key.
         */
        Optional<String> masterKey();

        /** How long a signed payload is valid ({@code expiresAt - issuedAt}); re-signed when half has passed. */
        @WithDefault("7d")
        Duration validity();

        /**
         * How long a replica serves a signed payload from memory before checking the database for a newer
         * requirements version or signer (one statement per group). The service's own changes reach every replica
         * through the cache invalidation feed (at once on the replica that made them, within one poll elsewhere;
         * while a replica's polls fail, each of its loads checks); this bounds how long a change no feed row tells of
         * (made in the database by hand) goes unseen.
         */
        @WithDefault("15s")
        Duration cacheCheckInterval();
    }

    /** Settings of device enrollment. */
    interface Enrollment {
        /**
         * Failed enrollment attempts allowed per client address and minute, counted across all replicas (in
         * PostgreSQL); further attempts get 429 with Retry-After until the minute has passed, even with a valid token.
         */
        @WithDefault("10")
        int maxFailuresPerMinute();
    }

    /** Settings of the in-memory caches (all built by {@code org.trustfleet.cache.Caches}). */
    interface Cache {
        /**
         * How often each replica polls the cache invalidation feed ({@code cache_invalidation}) and drops the cached
         * entries that changed on other replicas: device tokens (revocation, re-enrollment, group or tenant change)
         * and signed payloads (new requirements, signer rotation). A change takes effect at once on the replica that
         * made it and within this interval on the others (at most twice it: a replica whose last successful poll
         * is older than that checks every device token against the database until a poll succeeds again).
         * At least one second (the scheduler's resolution).
         */
        @WithDefault("2s")
        Duration invalidationPollInterval();

        /** Most decoded certificates a replica keeps in memory (by SHA-256; rows never change). */
        @WithDefault("4096")
        int certificatesMaxEntries();

        /**
         * Most certificate signature verdicts a replica keeps in memory (pki's {@code SignatureVerdicts}): one per
         * certificate checked against one issuer key, about 165 bytes each (40 MiB for the default, measured). A
         * platform store change re-judges every endpoint's chain: with one entry per endpoint's leaf kept, their
         * signatures are not checked again. The verdicts are also kept in the database, shared by every replica;
         * this many of the newest are read into memory when a replica starts.
         */
        @WithDefault("250000")
        int signatureVerdictsMaxEntries();

        /**
         * How often a replica writes the signature verdicts it worked out to the database (in batches, in the
         * background; the rest when it stops). At least one second (the scheduler's resolution).
         */
        @WithDefault("1s")
        Duration signatureVerdictsWriteInterval();

        /** Most per-endpoint policy analyses a replica keeps in memory. */
        @WithDefault("10000")
        int analysesMaxEntries();

        /**
         * Most group versions whose delivered certificate fingerprints (what device compliance compares reports with)
         * a replica keeps in memory; a few hundred bytes each.
         */
        @WithDefault("100000")
        int desiredSetsMaxEntries();

        /**
         * Most latest-scan digests (what the drift report shows of an endpoint's latest scan) a replica keeps in
         * memory, by scan id (a stored scan never changes); up to a few kilobytes each for a failing endpoint. A
         * tenant's report reads the JSON of only the scans not kept.
         */
        @WithDefault("10000")
        int scanDigestsMaxEntries();

        /**
         * Most groups whose signed payload a replica keeps in memory: what identifies it (version, signer, validity,
         * ETag and size), about 0.5 KB of heap each, enough to answer a fetch with 304. Its bytes are kept apart,
         * {@code payload-bytes-max-size}.
         */
        @WithDefault("10000")
        int signedPayloadsMaxEntries();

        /**
         * Most signed payload bytes a replica keeps in memory, outside the heap (about 3.8 KB per payload at the scale
         * benchmark's size: the default keeps about 25,000, half of its 50,000 groups). A 200 whose bytes are not kept
         * reads them from the database with others waiting then, in one statement; a 304 needs none. Counts toward
         * the JVM's limit on direct memory ({@code -XX:MaxDirectMemorySize}), with the HTTP server's buffers. 32M
         * (about a sixth of the groups) doubled a just-started replica's first store change while most of its
         * fetches were 200s, the bytes reads taking the CPU the recompute needed (bench/scale/RESULTS.md, Run 45).
         */
        @WithDefault("96M")
        MemorySize payloadBytesMaxSize();

        /**
         * Most payload signers (one active per tenant) a replica keeps unsealed in memory, a few kilobytes each. A
         * tenant's signer not kept is read, unsealed and checked against the payload root again when one of its
         * payloads is next signed (doing that once per tenant was 15 % of delivery's CPU in a replica's first minutes
         * at a fleet's pace), so this bounds memory, not correctness; size it to the number of tenants.
         */
        @WithDefault("10000")
        int payloadSignersMaxEntries();
    }

    /** Settings of enrolled devices. */
    interface Device {
        /**
         * Longest time a replica keeps a cached device-token lookup (a backstop: entries are dropped much earlier
         * when the device's credentials change, see {@code trustfleet.cache.invalidation-poll-interval}).
         */
        @WithDefault("1h")
        Duration authCacheTtl();

        /**
         * Most device tokens a replica keeps in memory (about 124 bytes each). Once full, a device not held is looked
         * up at each request until entries expire ({@code auth-cache-ttl}) or are dropped: the cache admits no new
         * token rather than evicting one, so that its reads do no bookkeeping.
         */
        @WithDefault("250000")
        int authCacheMaxEntries();

        /**
         * Whether a replica fills its device-token cache at start (after the first poll of the invalidation feed,
         * in the background, up to {@code auth-cache-max-entries} devices, read in batches), so that it serves the
         * fleet from memory from its first requests instead of looking each device up on its first request. Off,
         * the cache fills as devices ask.
         */
        @WithDefault("true")
        boolean authCachePreload();

        /**
         * How often the {@code last_seen_at} times noted in memory (at most once per
         * {@code last-seen-granularity} per device) are written to the database, in one batched UPDATE. Pending times
         * are also written before this replica reads devices and at graceful shutdown.
         */
        @WithDefault("5s")
        Duration lastSeenFlushInterval();

        /**
         * A device's {@code last_seen_at} moves at most this often: a request within this time of the last noted one
         * writes nothing, so the time shown can be this much older than the device's last request. A device that
         * fetches every 15 minutes is written once per fetch at any value up to that; a larger value lowers only
         * the writes of devices that ask more often. Far below {@code stale-after}, so it never changes a state.
         */
        @WithDefault("1m")
        Duration lastSeenGranularity();

        /** A device not seen for this long is {@code STALE}. */
        @WithDefault("7d")
        Duration staleAfter();

        /** Most device reports stored by one statement (group commit; see {@code device.ReportBatcher}). */
        @WithDefault("500")
        int reportBatchSize();

        /**
         * Most device reports a replica holds waiting to be stored; further reports get 503 with Retry-After until
         * the queue drains.
         */
        @WithDefault("10000")
        int reportQueueCapacity();
    }

    /** Admin console settings ({@code /console/}). */
    Console console();

    /** Settings of the admin console's sign-in and sessions. */
    interface Console {
        /** A console session unused for this long ends (the next request goes to the sign-in page). */
        @WithDefault("30m")
        Duration idleTimeout();

        /** A console session ends this long after sign-in, however busy. */
        @WithDefault("12h")
        Duration absoluteTimeout();

        /**
         * Mark the session cookie {@code Secure} on every response, also for requests that reached the service over
         * plain HTTP (behind a TLS-terminating proxy). A request that came over TLS always gets a {@code Secure} cookie.
         */
        @WithDefault("false")
        boolean secureCookies();

        /**
         * Failed console sign-ins allowed per client address and minute, counted across all replicas (the database);
         * further attempts get 429 with Retry-After until the oldest failure is a minute old, even with a valid token.
         */
        @WithDefault("10")
        int maxFailedSignInsPerMinute();
    }

    /** Background pruning of old history (see {@code retention.RetentionJob}). */
    Retention retention();

    /** How long history is kept, and how the pruning runs. */
    interface Retention {
        /** Whether this replica takes part in pruning (one replica prunes at a time, whichever gets the lock). */
        @WithDefault("true")
        boolean enabled();

        /** How often a replica tries to run the pruning. */
        @WithDefault("10m")
        Duration interval();

        /**
         * Scans older than this are deleted, except the latest scan of each endpoint, the latest one that saw a
         * chain, and those a kept chain event names.
         */
        @WithDefault("90d")
        Duration scanAge();

        /** Chain events older than this are deleted (keep it above {@code trustfleet.drift.window}). */
        @WithDefault("180d")
        Duration chainEventAge();

        /**
         * Alert deliveries that finished (DELIVERED, or FAILED: given up) longer ago than this are deleted; a pending
         * delivery (waiting for a retry, or leased by the replica sending it) is never deleted.
         */
        @WithDefault("90d")
        Duration alertDeliveryAge();

        /**
         * Alert events older than this are deleted once no delivery refers to them, except a CERTIFICATE_EXPIRING event
         * whose certificate its endpoint still presents or its group still delivers (that event is what keeps the
         * expiry from firing again).
         */
        @WithDefault("90d")
        Duration alertEventAge();

        /**
         * Certificate signature verdicts (the {@code signature_verdict} table) that no replica has used for this long
         * are deleted: those of certificates no endpoint presents any more. A verdict still in use is written again
         * once a third of this has passed, so it is never deleted. At least one day.
         */
        @WithDefault("90d")
        Duration signatureVerdictAge();

        /** Rows deleted per statement (each its own short transaction). */
        @WithDefault("1000")
        int batchSize();

        /** Most batches per kind of history and run; the rest waits for the next run. */
        @WithDefault("100")
        int maxBatchesPerRun();
    }

    /** Alert events, channels and deliveries ({@code /tenants/{t}/alert-channels}, {@code alert-deliveries}). */
    Alerts alerts();

    /** Settings of alerts: when events fire, how deliveries are retried, and the metrics snapshot. */
    interface Alerts {
        /** Days before a certificate's notAfter at which CERTIFICATE_EXPIRING fires, once per threshold. */
        @WithDefault("30,14,7,1")
        java.util.List<Integer> expiryThresholdDays();

        /** Consecutive failed scans after which ENDPOINT_UNREACHABLE fires. */
        @WithDefault("3")
        int unreachableAfter();

        /** Share of a group's devices not COMPLIANT (0-1) above which GROUP_NONCOMPLIANT may fire. */
        @WithDefault("0.2")
        double noncompliantShare();

        /** How long the share must stay above the threshold before GROUP_NONCOMPLIANT fires. */
        @WithDefault("1h")
        Duration noncompliantFor();

        /** How often the expiry and compliance checks run (once across the cluster). */
        @WithDefault("5m")
        Duration checkInterval();

        /** How often each replica looks for due deliveries. */
        @WithDefault("2s")
        Duration pollInterval();

        /**
         * Most per-endpoint and per-group series the metrics snapshot publishes (about 1 KB of heap each). A fleet
         * with more (10,000 tenants: hundreds of thousands) publishes none of them, logs a warning and reports the
         * count in {@code trustfleet_metrics_series_omitted}: the alert channels and the API cover every object, and a
         * partial set of series would read as objects that vanished.
         */
        @WithDefault("50000")
        int metricsMaxSeries();

        /** Wait before the first retry of a failed delivery; doubled per attempt, with jitter. */
        @WithDefault("30s")
        Duration retryInitial();

        /** Longest wait between two attempts. */
        @WithDefault("1h")
        Duration retryMaxInterval();

        /** A delivery not done this long after its event is marked FAILED. */
        @WithDefault("24h")
        Duration maxAge();

        /** Time allowed for one attempt (connect, send, answer). */
        @WithDefault("10s")
        Duration sendTimeout();

        /**
         * Base URL of the service as admins reach it (e.g. {@code https://trustfleet.example.com}), put in front of
         * the console and API links of an event; when unset the links are paths.
         */
        Optional<String> baseUrl();

        /** Sender address of alert e-mails. */
        @WithDefault("trustfleet@localhost")
        String mailFrom();

        /** How often the metrics snapshot ({@code /q/metrics}) is refreshed from the database. */
        @WithDefault("30s")
        Duration metricsRefresh();
    }

    /** Recomputing groups in the background after a platform store change. */
    Recompute recompute();

    /** Settings of the background recompute ({@code policy.RecomputeSweep}); per replica. */
    interface Recompute {
        /** Groups recomputed at the same time on this replica (the work is CPU-bound); 0 means the core count. */
        @WithDefault("0")
        int threads();

        /** How often a replica looks for pending groups it was not told about (another replica's change, a restart). */
        @WithDefault("10s")
        Duration pollInterval();
    }
}
