package org.trustfleet.policy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.trustfleet.core.JsonColumns;
import org.trustfleet.core.LruMap;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.pki.CertificateSummary;
import org.trustfleet.pki.Sha256;
import org.trustfleet.scan.Endpoint;
import org.trustfleet.scan.EndpointService;
import org.trustfleet.scan.ProbeStatus;
import org.trustfleet.scan.ScanResult;
import org.trustfleet.scan.ScanService;
import org.trustfleet.truststore.AnchorService;
import org.trustfleet.truststore.CertificateStore;
import org.trustfleet.truststore.StoreSnapshot;
import org.trustfleet.pki.StoreIndex;
import org.trustfleet.truststore.TrustStoreService;

/**
 * Computes and stores each device group's requirements from the latest scans, the platform stores and the tenant's
 * anchors, through the pure {@link PolicyEngine}. A new version is stored only when the certificate set changed.
 */
@ApplicationScoped
public class RequirementsService {
    private static final int ANALYSIS_CACHE_SIZE = 10_000;

    private final PolicyEngine engine = PolicyEngine.create();
    private final DeviceGroupService groups;
    private final EndpointService endpoints;
    private final ScanService scans;
    private final TrustStoreService stores;
    private final AnchorService anchors;
    private final CertificateStore certificates;
    private final JsonColumns json;
    private final Clock clock;
    private final Event<RequirementsChanged> changed;
    private final Map<String, EndpointFixOptions> analyses = Collections.synchronizedMap(
            new LruMap<>(ANALYSIS_CACHE_SIZE));

    public RequirementsService(DeviceGroupService groups, EndpointService endpoints, ScanService scans,
            TrustStoreService stores, AnchorService anchors, CertificateStore certificates, JsonColumns json,
            Clock clock, Event<RequirementsChanged> changed) {
        this.groups = groups;
        this.endpoints = endpoints;
        this.scans = scans;
        this.stores = stores;
        this.anchors = anchors;
        this.certificates = certificates;
        this.json = json;
        this.clock = clock;
        this.changed = changed;
    }

    /** The group's current requirements, computed first if they never were. */
    @Transactional
    public GroupRequirements current(UUID tenantId, UUID groupId) {
        groups.get(tenantId, groupId);
        GroupRequirementsEntity row = GroupRequirementsEntity.findById(groupId);
        if (row == null) {
            return recompute(groupId).orElseThrow(() -> TrustfleetException.notFound("device group"));
        }
        return json.read(row.document, GroupRequirements.class);
    }

    /** The DER certificates of a group's current set, in the set's order (for payloads and console exports). */
    @Transactional
    public List<X509Certificate> certificatesOf(GroupRequirements requirements) {
        Map<String, X509Certificate> bySha = certificates.findAll(requirements.sha256s()).stream()
                .collect(Collectors.toMap(Sha256::of, Function.identity()));
        return requirements.sha256s().stream().map(bySha::get).toList();
    }

    /**
     * Recomputes one group in a transaction of its own (callers are often after-commit observers, whose finished
     * transaction is still bound to the thread); returns empty when the group no longer exists.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Optional<GroupRequirements> recompute(UUID groupId) {
        Optional<DeviceGroup> found = groups.find(groupId);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        DeviceGroup group = found.get();
        Instant now = Instant.now(clock);
        List<Endpoint> tenantEndpoints = endpoints.list(group.tenantId());
        Map<UUID, ScanResult> latest = scans.latestOf(tenantEndpoints.stream().map(Endpoint::id).toList()).stream()
                .collect(Collectors.toMap(ScanResult::endpointId, Function.identity()));
        StoreSnapshot snapshot = stores.snapshot();
        StoreIndex platform = snapshot.index();
        List<X509Certificate> tenantAnchors = anchors.certificatesOf(group.tenantId());
        Map<String, X509Certificate> includes = certificates.findAll(group.include()).stream()
                .collect(Collectors.toMap(Sha256::of, Function.identity()));

        Map<UUID, List<X509Certificate>> presentedByEndpoint = new HashMap<>();
        Map<UUID, List<X509Certificate>> extraByEndpoint = new HashMap<>();
        Set<String> wanted = new HashSet<>();
        latest.values().forEach(s -> {
            s.presented().forEach(c -> wanted.add(c.sha256()));
            wanted.addAll(s.completedPath());
        });
        Map<String, X509Certificate> known = certificates.findAll(wanted).stream()
                .collect(Collectors.toMap(Sha256::of, Function.identity()));
        for (ScanResult scan : latest.values()) {
            List<X509Certificate> presented = scan.presented().stream().map(CertificateSummary::sha256)
                    .map(known::get).filter(java.util.Objects::nonNull).toList();
            List<X509Certificate> extra = scan.completedPath().stream()
                    .filter(sha -> scan.presented().stream().noneMatch(p -> p.sha256().equals(sha)))
                    .map(known::get).filter(java.util.Objects::nonNull).toList();
            presentedByEndpoint.put(scan.endpointId(), presented);
            extraByEndpoint.put(scan.endpointId(), extra);
        }
        // every certificate the tenant's endpoints showed or completed with, so that one endpoint's
        // intermediate can fix another's chain (the engine only tries what it is given)
        List<X509Certificate> pool = PolicyEngine.candidatePool(includes, tenantEndpoints.stream()
                .map(e -> observation(e, latest.get(e.id()), presentedByEndpoint, extraByEndpoint)).toList());
        String contextKey = snapshot.version() + "/" + keyOf(tenantAnchors) + "/" + keyOf(pool);

        GroupSpec spec = new GroupSpec(group.id(), group.minApiLevel(), group.maxApiLevel(), group.managementMode(),
                Set.copyOf(group.endpointIds()), Set.copyOf(group.include()), Set.copyOf(group.exclude()));
        List<EndpointFixOptions> groupAnalyses = new ArrayList<>();
        for (Endpoint endpoint : tenantEndpoints) {
            if (!spec.covers(endpoint.id())) {
                continue;
            }
            ScanResult scan = latest.get(endpoint.id());
            String cacheKey = endpoint.id() + "/" + (scan == null ? "none" : scan.id()) + "/" + contextKey + "/"
                    + endpoint.verifiedName();
            EndpointFixOptions analysis = analyses.get(cacheKey);
            if (analysis == null) {
                analysis = engine.analyze(observation(endpoint, scan, presentedByEndpoint, extraByEndpoint),
                        platform, tenantAnchors, pool, now);
                analyses.put(cacheKey, analysis);
            }
            groupAnalyses.add(analysis);
        }
        Requirements requirements = engine.requirements(spec, groupAnalyses, includes, now);
        certificates.record(requirements.certificates().stream().map(RequiredCertificate::certificate).toList());
        return Optional.of(store(group, requirements, now));
    }

    private GroupRequirements store(DeviceGroup group, Requirements requirements, Instant now) {
        String setKey = Sha256.hex(requirements.certificates().stream()
                .map(c -> c.sha256() + ":" + c.role()).sorted().collect(Collectors.joining(","))
                .getBytes(StandardCharsets.UTF_8));
        var em = GroupRequirementsEntity.getEntityManager();
        // make sure a row exists, then lock it: concurrent recomputes (other replicas) take turns
        em.createNativeQuery("""
                INSERT INTO group_requirements (group_id, tenant_id, version, set_key, computed_at, document)
                VALUES (?1, ?2, 0, '', ?3, '{}') ON CONFLICT (group_id) DO NOTHING""")
                .setParameter(1, group.id()).setParameter(2, group.tenantId())
                .setParameter(3, Timestamp.from(now)).executeUpdate();
        GroupRequirementsEntity row = em.find(GroupRequirementsEntity.class, group.id(),
                LockModeType.PESSIMISTIC_WRITE);
        em.refresh(row);
        boolean newVersion = !setKey.equals(row.setKey);
        long version = newVersion ? row.version + 1 : row.version;
        GroupRequirements view = new GroupRequirements(group.id(), version, now,
                requirements.certificates().stream().map(c -> new GroupRequirements.Certificate(c.sha256(),
                        c.role().name().toLowerCase(Locale.ROOT), c.subject(), c.notAfter(), c.reasons())).toList(),
                requirements.unresolved().stream().map(GroupRequirements.Problem::of).toList(),
                requirements.advice().stream().map(GroupRequirements.Hint::of).toList());
        row.version = version;
        row.setKey = setKey;
        row.computedAt = now;
        row.document = json.write(view);
        if (newVersion) {
            changed.fire(new RequirementsChanged(group.tenantId(), group.id(), version));
        }
        return view;
    }

    private static EndpointObservation observation(Endpoint endpoint, ScanResult scan,
            Map<UUID, List<X509Certificate>> presented, Map<UUID, List<X509Certificate>> extra) {
        if (scan == null) {
            return EndpointObservation.notScanned(endpoint.id(), endpoint.verifiedName());
        }
        if (scan.status() != ProbeStatus.OK || presented.get(endpoint.id()).isEmpty()) {
            return EndpointObservation.unreachable(endpoint.id(), endpoint.verifiedName(),
                    scan.status() + (scan.error() == null ? "" : ": " + scan.error()));
        }
        return EndpointObservation.ok(endpoint.id(), endpoint.verifiedName(), presented.get(endpoint.id()),
                extra.get(endpoint.id()));
    }

    private static String keyOf(List<X509Certificate> certificates) {
        return Sha256.hex(certificates.stream().map(Sha256::of).sorted().collect(Collectors.joining(","))
                .getBytes(StandardCharsets.UTF_8));
    }


}
