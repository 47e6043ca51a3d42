package org.trustfleet.scan;

import com.fasterxml.jackson.core.type.TypeReference;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.trustfleet.core.JsonColumns;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.FindingCode;
import org.trustfleet.pki.Sha256;
import org.trustfleet.truststore.CertificateStore;

/**
 * Stores a finished scan in one transaction: its certificates, the scan row and, when the presented chain differs
 * from the previous successful scan, a CHAIN_CHANGED finding and event.
 */
@ApplicationScoped
public class ScanRecorder {
    private final CertificateStore certificates;
    private final JsonColumns json;
    private final Event<ObservationChanged> observationChanged;
    private final Event<ScanRecorded> recorded;

    public ScanRecorder(CertificateStore certificates, JsonColumns json, Event<ObservationChanged> changed,
            Event<ScanRecorded> recorded) {
        this.certificates = certificates;
        this.json = json;
        this.observationChanged = changed;
        this.recorded = recorded;
    }

    /** Everything a finished scan produced, before it is stored. */
    record Outcome(Endpoint endpoint, ScanResult result, List<X509Certificate> presented,
            List<X509Certificate> fetched, List<X509Certificate> completed, List<X509Certificate> serverChain,
            java.time.Instant scheduledFor,
            String instance) {}

    /** @return the stored result, or empty when this scheduled firing was already recorded by another replica */
    @Transactional
    public Optional<ScanResult> record(Outcome outcome) {
        if (outcome.scheduledFor() != null && ScanEntity.count("endpointId = ?1 and scheduledFor = ?2",
                outcome.result().endpointId(), outcome.scheduledFor()) > 0) {
            return Optional.empty();
        }
        List<X509Certificate> all = new ArrayList<>(outcome.presented());
        all.addAll(outcome.fetched());
        all.addAll(outcome.completed());
        // the proposed server chain may hold a cross-sign seen elsewhere: stored, so the requirements can read it
        all.addAll(outcome.serverChain());
        certificates.record(all);

        ScanResult result = outcome.result();
        List<String> chain = outcome.presented().stream().map(Sha256::of).toList();
        String chainKey = chain.isEmpty() ? null : Sha256.ofChainIds(chain);
        List<Finding> findings = new ArrayList<>(result.findings());
        ScanEntity last = ScanEntity.<ScanEntity>find("endpointId = ?1 order by startedAt desc",
                result.endpointId()).firstResult();
        // the last scan that saw a chain; usually the last scan itself, so the second query is rare
        ScanEntity previous = last == null || last.chainKey != null ? last : ScanEntity.<ScanEntity>find(
                "endpointId = ?1 and chainKey is not null order by startedAt desc", result.endpointId())
                .firstResult();
        ChainChange change = null;
        StoredScan lastStored = last == null ? null : stored(last);
        if (chainKey != null && previous != null && !chainKey.equals(previous.chainKey)) {
            StoredScan previousStored = previous == last ? lastStored : stored(previous);
            List<String> before = previousStored.presentedSha256s();
            List<String> previousPath = previousStored.completedPath();
            String previousRoot = previousPath.isEmpty() ? null : previousPath.get(previousPath.size() - 1);
            String currentRoot = result.completedPath().isEmpty() ? null
                    : result.completedPath().get(result.completedPath().size() - 1);
            ChainChange.Kind kind = ChainChange.classify(before, chain, previousRoot, currentRoot);
            change = new ChainChange(result.endpointId(), result.id(), previous.id, result.startedAt(), kind, before,
                    chain);
            findings.add(Finding.of(FindingCode.CHAIN_CHANGED, "the presented chain changed since the scan of "
                    + previous.startedAt + " (" + kind.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")"));
        }

        ScanEntity entity = new ScanEntity();
        entity.id = result.id();
        entity.endpointId = result.endpointId();
        entity.tenantId = outcome.endpoint().tenantId();
        entity.startedAt = result.startedAt();
        entity.durationMs = result.durationMs();
        entity.status = result.status().name();
        entity.trigger = result.trigger().name();
        entity.scheduledFor = outcome.scheduledFor();
        entity.instance = outcome.instance();
        entity.tlsVersion = result.tlsVersion();
        entity.cipherSuite = result.cipherSuite();
        entity.address = result.address();
        String error = result.error() == null ? null
                : result.error().substring(0, Math.min(1000, result.error().length()));
        entity.errorDetail = error;
        entity.chainKey = chainKey;
        StoredScan stored = StoredScan.of(result, findings);
        entity.document = json.write(stored);
        // the unique index (endpoint, scheduled_for) backs the check above should two replicas ever race
        entity.persist();
        if (change != null) {
            ChainEventEntity event = new ChainEventEntity();
            event.id = UUID.randomUUID();
            event.tenantId = entity.tenantId;
            event.endpointId = entity.endpointId;
            event.scanId = entity.id;
            event.previousScanId = change.previousScanId();
            event.occurredAt = change.occurredAt();
            event.change = change.kind().name();
            event.previousChain = json.write(change.previousChain());
            event.newChain = json.write(change.newChain());
            event.persist();
        }
        boolean outcomeChanged = last == null || change != null || !last.status.equals(entity.status)
                || !lastStored.perApiLevel().equals(stored.perApiLevel())
                || !lastStored.completedPath().equals(stored.completedPath());
        if (outcomeChanged) {
            observationChanged.fire(new ObservationChanged(entity.tenantId, entity.endpointId, entity.id));
        }
        // what was stored, without reading back the JSON just written
        ScanResult storedResult = new ScanResult(result.id(), result.endpointId(), result.startedAt(), result.durationMs(),
                result.status(), result.trigger(), result.tlsVersion(), result.cipherSuite(), result.address(), error,
                result.presented(), result.completedPath(), List.copyOf(findings), result.perApiLevel(),
                result.serverFix());
        // in this transaction: alert events are written with the scan or not at all
        recorded.fire(new ScanRecorded(entity.tenantId, storedResult, change));
        return Optional.of(storedResult);
    }

    /** The API view of a stored scan: the storage record mapped at this edge, never read as the API's JSON. */
    ScanResult toResult(ScanEntity e) {
        StoredScan stored = stored(e);
        return new ScanResult(e.id, e.endpointId, e.startedAt, e.durationMs, ProbeStatus.valueOf(e.status),
                ScanResult.ScanTrigger.valueOf(e.trigger), e.tlsVersion, e.cipherSuite, e.address, e.errorDetail,
                stored.presented().stream().map(StoredScan.Certificate::toSummary).toList(), stored.completedPath(),
                stored.findings().stream().map(StoredScan.StoredFinding::toFinding).toList(),
                stored.perApiLevel().stream().map(StoredScan.Verdict::toVerdict).toList(),
                stored.serverFix() == null ? null : stored.serverFix().toAdvice());
    }

    private static final TypeReference<List<StoredScan.Certificate>> CERTIFICATES = new TypeReference<>() {};
    private static final TypeReference<List<Integer>> API_LEVELS = new TypeReference<>() {};
    private static final TypeReference<List<FindingCode>> FINDING_CODES = new TypeReference<>() {};

    /** A digest from the columns {@link ScanService#latestDigests} selects (JSON parts as text, absent as null). */
    ScanDigest digest(UUID endpointId, Instant startedAt, String status, String error, String untrustedLevels,
            String findingCodes, String presented, String serverFix) {
        List<StoredScan.Certificate> certificates = presented == null ? List.of()
                : json.read(presented, CERTIFICATES);
        StoredScan.StoredServerFix fix = serverFix == null ? null
                : json.read(serverFix, StoredScan.StoredServerFix.class);
        return new ScanDigest(endpointId, startedAt, ProbeStatus.valueOf(status), error,
                json.read(untrustedLevels, API_LEVELS),
                json.read(findingCodes, FINDING_CODES).stream().distinct().toList(),
                certificates.stream().map(StoredScan.Certificate::toSummary).toList(),
                fix == null ? null : ServerFixSummary.of(fix.toAdvice()));
    }

    StoredScan stored(ScanEntity e) {
        return json.read(e.document, StoredScan.class);
    }

    List<String> readShas(String text) {
        return json.read(text, new TypeReference<List<String>>() {});
    }
}
