package org.trustfleet.scan;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.jboss.logging.Logger;
import org.trustfleet.cache.BoundedCache;
import org.trustfleet.cache.Caches;
import org.trustfleet.core.NativeColumns;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.core.TimeCursor;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.pki.CertificateSummary;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.Sha256;
import org.trustfleet.truststore.AnchorService;
import org.trustfleet.truststore.CertificateStore;
import org.trustfleet.truststore.StoreSnapshot;
import org.trustfleet.truststore.TrustStoreService;

/**
 * Runs scans (on demand and scheduled) and reads their history. The network part runs outside any transaction;
 * only storing the result is transactional, so a slow server never holds a database connection.
 */
@ApplicationScoped
public class ScanService {
    private static final Logger LOG = Logger.getLogger(ScanService.class);
    public static final int DEFAULT_HISTORY = 20;
    static final int MAX_HISTORY = 200;
    static final Duration MANUAL_RETRY_AFTER = Duration.ofSeconds(1);
    /**
     * The row of the latest scan of each endpoint in {@code ?1} (a {@code uuid[]}), for the native read models (alias
     * {@code s}): the one started last, of two started at the same instant the greater id, the first of {@link
     * #history}. One descent of index {@code scan_endpoint_started_id} per endpoint, reading one row: comparing each
     * of an endpoint's scans with the latest start read every scan kept (three an endpoint in the scale benchmark's
     * data; a scan every six hours kept for 90 days, the defaults, is 360).
     */
    private static final String LATEST_OF_EACH = """
            FROM (SELECT DISTINCT unnest(CAST(?1 AS uuid[]))) AS e(endpoint_id)
            CROSS JOIN LATERAL (SELECT * FROM scan t WHERE t.endpoint_id = e.endpoint_id
                                ORDER BY t.started_at DESC, t.id DESC LIMIT 1) s""";

    private final EndpointService endpoints;
    private final ChainJudge evaluator;
    private final TrustStoreService stores;
    private final AnchorService anchors;
    private final CertificateStore certificates;
    private final ScanRecorder recorder;
    private final Clock clock;
    private final Semaphore permits;
    private final int manualScansPerTenant;
    /** Manual scans running or waiting for a permit, per tenant; a tenant with none has no entry. */
    private final Map<UUID, Integer> manualScans = new ConcurrentHashMap<>();
    private final MeterRegistry metrics;
    private final ScanLimits limits;
    private final ScanProbes probes;
    private final VerdictReuse verdicts;
    /** Scan id → what a tenant-wide report shows of it ({@link #latestDigests}); a stored scan never changes. */
    private final BoundedCache<UUID, ScanDigest> digests;

    public ScanService(EndpointService endpoints, TlsProbe probe, ChainJudge evaluator,
            TrustStoreService stores, AnchorService anchors, CertificateStore certificates, ScanRecorder recorder,
            Clock clock, TrustfleetConfig config, MeterRegistry metrics) {
        this.metrics = metrics;
        this.endpoints = endpoints;
        this.limits = ScanLimits.of(config.scanner());
        // the silent endpoints' scans admitted and waiting (SilentScanGate): a sweep's share of black holes
        Gauge.builder("trustfleet.scan.silent", limits, ScanLimits::silentScansRunning).tag("state", "running")
                .register(metrics);
        Gauge.builder("trustfleet.scan.silent", limits, ScanLimits::silentScansWaiting).tag("state", "waiting")
                .register(metrics);
        this.probes = new ScanProbes(probe, limits,
                config.scanner().noSniProbeInterval(), config.scanner().reuseMaxEntries(), clock);
        this.verdicts = new VerdictReuse(config.scanner().reuseMaxEntries(), config.scanner().expiresSoon());
        this.digests = Caches.bounded("scan-digests", config.cache().scanDigestsMaxEntries());
        this.evaluator = evaluator;
        this.stores = stores;
        this.anchors = anchors;
        this.certificates = certificates;
        this.recorder = recorder;
        this.clock = clock;
        if (config.scanner().concurrency() < 1 || config.scanner().manualScansPerTenant() < 1) {
            throw new IllegalArgumentException("trustfleet.scanner.concurrency and "
                    + "trustfleet.scanner.manual-scans-per-tenant must be at least 1");
        }
        this.permits = new Semaphore(config.scanner().concurrency(), true);
        this.manualScansPerTenant = config.scanner().manualScansPerTenant();
    }

    /**
     * Scans the tenant's endpoint now and returns the stored result.
     *
     * @throws TrustfleetException rate-limited when the tenant already has its share of manual scans under way here
     */
    public ScanResult scanNow(UUID tenantId, UUID endpointId) {
        Endpoint endpoint = endpoints.get(tenantId, endpointId);
        if (!startManualScan(tenantId)) {
            throw TrustfleetException.rateLimited("this tenant already has " + manualScansPerTenant
                    + " scans under way; retry when one has finished", MANUAL_RETRY_AFTER);
        }
        try {
            return run(endpoint, ScanResult.ScanTrigger.MANUAL, null, null).result()
                    .orElseThrow(() -> new IllegalStateException("a manual scan is always stored"));
        } finally {
            manualScans.computeIfPresent(tenantId, (tenant, count) -> count <= 1 ? null : count - 1);
        }
    }

    private boolean startManualScan(UUID tenantId) {
        boolean[] admitted = {false};
        manualScans.compute(tenantId, (tenant, count) -> {
            int running = count == null ? 0 : count;
            if (running >= manualScansPerTenant) {
                return count;
            }
            admitted[0] = true;
            return running + 1;
        });
        return admitted[0];
    }

    /**
     * Runs one scheduled firing; an endpoint deleted meanwhile is skipped. An endpoint {@code expected} to be silent
     * (its previous scheduled scan timed out) is scanned within the silent endpoints' own limit.
     *
     * @return how the endpoint answered, or empty when nothing was scanned (deleted, a duplicate firing, a failure)
     */
    public Optional<Responsiveness> scanScheduled(UUID endpointId, Instant scheduledFor, String instance,
            Responsiveness expected) {
        try {
            return expected == Responsiveness.SILENT
                    ? limits.silentScan(() -> scanIfPresent(endpointId, scheduledFor, instance))
                    : scanIfPresent(endpointId, scheduledFor, instance);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Scheduled scan of endpoint %s failed", endpointId);
            return Optional.empty();
        }
    }

    private Optional<Responsiveness> scanIfPresent(UUID endpointId, Instant scheduledFor, String instance) {
        // storage work, within the CPU limit: a batch of firings starting together must not drain the
        // connection pool (a sweep's first hundred scans, each waiting for a connection, timed out)
        Optional<Endpoint> endpoint = limits.cpuWork(() -> endpoints.find(endpointId));
        if (endpoint.isEmpty()) {
            return Optional.empty();
        }
        Ran ran = run(endpoint.get(), ScanResult.ScanTrigger.SCHEDULED, scheduledFor, instance);
        return ran.result().map(stored -> ran.responsiveness());
    }

    @Transactional
    public List<ScanResult> history(UUID tenantId, UUID endpointId, Integer limit) {
        return history(tenantId, endpointId, limit, null);
    }

    /**
     * A page of the endpoint's scans, newest first ({@code startedAt DESC, id DESC}), continuing strictly after
     * {@code after} (the last scan of the previous page; null for the first page). Keyset paging: no OFFSET.
     */
    @Transactional
    public List<ScanResult> history(UUID tenantId, UUID endpointId, Integer limit, TimeCursor after) {
        endpoints.get(tenantId, endpointId);
        int size = limit == null ? DEFAULT_HISTORY : limit;
        if (size < 1 || size > MAX_HISTORY) {
            throw TrustfleetException.validation("'limit' must be between 1 and " + MAX_HISTORY);
        }
        var query = after == null
                ? ScanEntity.<ScanEntity>find("endpointId = ?1 order by startedAt desc, id desc", endpointId)
                : ScanEntity.<ScanEntity>find("endpointId = ?1 and (startedAt < ?2 or (startedAt = ?2 and id < ?3))"
                        + " order by startedAt desc, id desc", endpointId, after.at(), after.id());
        return query.page(0, size).list().stream().map(recorder::toResult).toList();
    }

    /** The endpoint's latest scan: the first of its {@link #history}; 404 before its first scan. */
    @Transactional
    public ScanResult latest(UUID tenantId, UUID endpointId) {
        return history(tenantId, endpointId, 1).stream().findFirst()
                .orElseThrow(() -> TrustfleetException.notFound("scan"));
    }

    /** The latest scan of each of the given endpoints (those never scanned are absent). */
    @Transactional
    public List<ScanResult> latestOf(List<UUID> endpointIds) {
        return latestRows(endpointIds).stream().map(recorder::toResult).toList();
    }

    /**
     * The latest scan of each of the given endpoints as a tenant-wide report shows it (those never scanned are
     * absent), in the order the database finds them. The verdict lists and finding texts stay in the database: for a
     * tenant of 1,000 failing endpoints the full scans are 11.5 MB of JSON to hand over and parse, of which the report
     * shows a third. The parts shown are columns the database generates from each scan's document (migration V35),
     * not cut out of it on each read. A scan never changes once stored, so its digest is kept by scan id: a report
     * reads which scans are the latest, and the JSON columns only of those it has not parsed before (parsing them
     * was a third of a drift report's time for 1,000 failing endpoints).
     */
    @Transactional
    public List<ScanDigest> latestDigests(List<UUID> endpointIds) {
        List<UUID> latest = latestIds(endpointIds);
        Map<UUID, ScanDigest> found = digests.getAll(latest, this::readDigests);
        // a scan gone between the two reads went with its endpoint (scans that are the latest are never pruned)
        return latest.stream().map(found::get).filter(Objects::nonNull).toList();
    }

    /** The digests of the given scans, from their V35 columns (scans no longer stored are absent). */
    private Map<UUID, ScanDigest> readDigests(Set<? extends UUID> scanIds) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = ScanEntity.getEntityManager().createNativeQuery("""
                SELECT s.id, s.endpoint_id, s.started_at, s.status, s.error_detail, s.untrusted_api_levels::text,
                       s.finding_codes::text, s.presented_certificates::text, s.failed_server_fix::text
                FROM scan s WHERE s.id IN (:ids)""").setParameter("ids", scanIds).getResultList();
        Map<UUID, ScanDigest> read = new HashMap<>();
        for (Object[] row : rows) {
            read.put((UUID) row[0], recorder.digest((UUID) row[1], NativeColumns.instant(row[2]), (String) row[3],
                    (String) row[4], (String) row[5], (String) row[6], (String) row[7], (String) row[8]));
        }
        return read;
    }

    /**
     * The latest scan of each of the given endpoints as parsed certificates (those never scanned are absent): the
     * read model of the stages after the scan. Every certificate is looked up once, for all endpoints together.
     * Only the three fingerprint lists it needs leave the database: a recompute reads every endpoint's latest scan,
     * and whole documents (11.5 KB of JSON each for a failing endpoint, written out as text by PostgreSQL and parsed
     * again here) were a sixth of a platform store change's recompute time for a few hundred bytes of fingerprints.
     * The lists are columns the database generates from each document (migration V41): cutting them out of the
     * document on each read decompressed the whole document.
     */
    @Transactional
    public List<ScanObservation> latestObservations(List<UUID> endpointIds) {
        if (endpointIds.isEmpty()) {
            return List.of();
        }
        /** One latest scan as read: its fingerprint lists, absent as empty. */
        record Row(UUID id, UUID endpointId, ProbeStatus status, String error, List<String> presented,
                List<String> completedPath, List<String> serverChain) {}
        @SuppressWarnings("unchecked")
        List<Object[]> found = ScanEntity.getEntityManager().createNativeQuery("""
                SELECT s.id, s.endpoint_id, s.status, s.error_detail, s.presented_sha256s::text,
                       s.completed_path_sha256s::text, s.server_fix_chain_sha256s::text
                """ + LATEST_OF_EACH)
                .setParameter(1, endpointIds.toArray(UUID[]::new)).getResultList();
        List<Row> rows = new ArrayList<>(found.size());
        Set<String> wanted = new HashSet<>();
        for (Object[] r : found) {
            Row row = new Row((UUID) r[0], (UUID) r[1], ProbeStatus.valueOf((String) r[2]), (String) r[3],
                    shas((String) r[4]), shas((String) r[5]), shas((String) r[6]));
            rows.add(row);
            wanted.addAll(row.presented());
            wanted.addAll(row.completedPath());
            wanted.addAll(row.serverChain());
        }
        Map<String, X509Certificate> known = certificates.findAllBySha256(wanted);
        List<ScanObservation> observations = new ArrayList<>(rows.size());
        for (Row row : rows) {
            List<String> presented = row.presented();
            List<String> completion = row.completedPath().stream().filter(sha -> !presented.contains(sha)).toList();
            // scans stored before the server chain's certificates were recorded may lack some: skip them
            List<String> serverChain = row.serverChain().stream().filter(known::containsKey).toList();
            List<X509Certificate> presentedCertificates = certificatesOf(presented, known);
            List<X509Certificate> completionCertificates = certificatesOf(completion, known);
            List<X509Certificate> serverChainCertificates = certificatesOf(serverChain, known);
            // every fingerprint is known by now (certificatesOf fails on one that is not)
            Map<X509Certificate, String> fingerprints = new HashMap<>();
            for (List<String> part : List.of(presented, completion, serverChain)) {
                part.forEach(sha -> fingerprints.put(known.get(sha), sha));
            }
            observations.add(new ScanObservation(row.id(), row.endpointId(), row.status(), row.error(),
                    presentedCertificates, completionCertificates, serverChainCertificates, fingerprints));
        }
        return observations;
    }

    /** A JSON list of fingerprints as the database hands it over; SQL null (no such part) as empty. */
    private List<String> shas(String json) {
        return json == null || json.equals("null") ? List.of() : recorder.readShas(json);
    }

    /** Every certificate a scan recorded is in the certificate table, so a missing one is a damaged database. */
    private static List<X509Certificate> certificatesOf(List<String> sha256s, Map<String, X509Certificate> known) {
        return sha256s.stream().map(sha -> {
            X509Certificate certificate = known.get(sha);
            if (certificate == null) {
                throw new IllegalStateException("certificate " + sha + " of a stored scan is not in the certificate"
                        + " table");
            }
            return certificate;
        }).toList();
    }

    private static List<ScanEntity> latestRows(List<UUID> endpointIds) {
        List<UUID> ids = latestIds(endpointIds);
        return ids.isEmpty() ? List.of() : ScanEntity.list("id in ?1", ids);
    }

    /** The ids of the latest scans ({@link #LATEST_OF_EACH}) of the given endpoints; those never scanned are absent. */
    @SuppressWarnings("unchecked")
    private static List<UUID> latestIds(List<UUID> endpointIds) {
        if (endpointIds.isEmpty()) {
            return List.of();
        }
        return ScanEntity.getEntityManager().createNativeQuery("SELECT s.id " + LATEST_OF_EACH)
                .setParameter(1, endpointIds.toArray(UUID[]::new)).getResultList();
    }

    /** The tenant's CHAIN_CHANGED events since {@code since}, newest first. */
    @Transactional
    public List<ChainChange> chainChanges(UUID tenantId, Instant since, int limit) {
        return ChainEventEntity.<ChainEventEntity>find(
                        "tenantId = ?1 and occurredAt >= ?2 order by occurredAt desc, id", tenantId, since)
                .page(0, limit).list().stream()
                .map(e -> new ChainChange(e.endpointId, e.scanId, e.previousScanId, e.occurredAt,
                        ChainChange.Kind.valueOf(e.change), recorder.readShas(e.previousChain),
                        recorder.readShas(e.newChain)))
                .toList();
    }

    private Optional<ScanResult> judgeAndRecord(Endpoint endpoint, ScanResult.ScanTrigger trigger,
            Instant scheduledFor, String instance, Instant started, long t0, ScanProbes.Probed probed) {
        ProbeResult primary = probed.primary();
        List<X509Certificate> presented = primary.isOk() ? primary.chain() : List.of();
        List<Finding> findings = new ArrayList<>();
        ChainEvaluation evaluation = ChainEvaluation.none();
        VerdictReuse.Verdicts judged = new VerdictReuse.Verdicts(List.of(), List.of(), List.of(), null);
        String reuseKey = null;
        long snapshotVersion = 0;
        List<X509Certificate> tenantAnchors = List.of();
        if (primary.isOk()) {
            StoreSnapshot snapshot = stores.snapshot();
            snapshotVersion = snapshot.version();
            tenantAnchors = anchors.certificatesOf(endpoint.tenantId());
            reuseKey = VerdictReuse.key(presented, endpoint.verifiedName(), snapshot.version(), tenantAnchors,
                    certificates.caGeneration(), started);
            Optional<VerdictReuse.Verdicts> reused = verdicts.reuse(endpoint.id(), reuseKey, started);
            if (reused.isPresent()) {
                judged = reused.get();
                metrics.counter("trustfleet.scan.reuse", "part", "verdicts").increment();
                reuseKey = null; // nothing new to remember
            } else {
                evaluation = evaluator.evaluate(presented, endpoint.verifiedName(), snapshot, tenantAnchors,
                        certificates::caCertificatesWithSubject, started);
                judged = new VerdictReuse.Verdicts(evaluation.findings(), evaluation.perApiLevel(),
                        evaluation.completedPath().stream().map(Sha256::of).toList(),
                        evaluation.serverFix() == null ? null : ServerFixAdvice.of(evaluation.serverFix()));
            }
            findings.addAll(judged.findings());
            probed.sniFinding().ifPresent(findings::add);
        }
        long durationMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        ScanResult result = new ScanResult(UUID.randomUUID(), endpoint.id(), started, durationMs,
                primary.status(), trigger, primary.tlsVersion(), primary.cipherSuite(),
                primary.address() == null ? null : primary.address().getHostAddress(),
                primary.isOk() ? null : primary.errorDetail(),
                presented.stream().map(CertificateSummary::of).toList(),
                judged.completedPath(), findings, judged.perApiLevel(), judged.serverFix());
        metrics.counter("trustfleet.scans", "status", result.status().name(), "trigger", trigger.name())
                .increment();
        metrics.timer("trustfleet.scan.duration").record(Duration.ofMillis(durationMs));
        // a reused verdict's certificates were stored by the scan that reached it
        Optional<ScanResult> stored = recorder.record(new ScanRecorder.Outcome(endpoint, result, presented,
                evaluation.fetchedByAia(), evaluation.completedPath(),
                evaluation.serverFix() == null ? List.of() : evaluation.serverFix().chain(), scheduledFor,
                instance));
        if (reuseKey != null && stored.isPresent()) {
            // only once committed: a reused verdict names certificates that must be in the certificate table; keyed
            // on the CA certificates known now, which include the ones this scan just stored (the generation moved
            // at its commit)
            verdicts.remember(endpoint.id(), VerdictReuse.key(presented, endpoint.verifiedName(), snapshotVersion,
                    tenantAnchors, certificates.caGeneration(), started), started, presented, evaluation);
        }
        return stored;
    }

    /** A scan's stored result (absent when the firing was a duplicate), and how the endpoint answered. */
    private record Ran(Optional<ScanResult> result, Responsiveness responsiveness) {}

    private Ran run(Endpoint endpoint, ScanResult.ScanTrigger trigger, Instant scheduledFor, String instance) {
        permits.acquireUninterruptibly();
        try {
            Instant started = Instant.now(clock);
            long t0 = System.nanoTime();
            // the network part: waits on sockets within the probe limits, holds no CPU slot
            ScanProbes.Probed probed = probes.probe(endpoint.id(), endpoint.probeTarget());
            if (probed.noSniReused()) {
                metrics.counter("trustfleet.scan.reuse", "part", "no-sni").increment();
            }
            // the CPU part: validation and storage, about one scan per core at once
            return new Ran(limits.cpuWork(() -> judgeAndRecord(endpoint, trigger, scheduledFor, instance, started,
                    t0, probed)), probes.responsiveness(probed));
        } finally {
            permits.release();
        }
    }
}
