package org.trustfleet.policy;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.trustfleet.core.JsonColumns;
import org.trustfleet.cache.BoundedCache;
import org.trustfleet.cache.Caches;
import org.trustfleet.core.NativeColumns;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.pki.ComputationMemo;
import org.trustfleet.pki.ServerChainOptions;
import org.trustfleet.pki.Sha256;
import org.trustfleet.scan.Endpoint;
import org.trustfleet.scan.EndpointService;
import org.trustfleet.scan.ProbeStatus;
import org.trustfleet.scan.ScanObservation;
import org.trustfleet.scan.ServerFixAdvice;
import org.trustfleet.scan.ScanService;
import org.trustfleet.scan.StartTlsProtocol;
import org.trustfleet.truststore.AnchorService;
import org.trustfleet.truststore.CertificateStore;
import org.trustfleet.truststore.ObservedStore;
import org.trustfleet.truststore.ObservedStoreService;
import org.trustfleet.truststore.StoreSnapshot;
import org.trustfleet.pki.StoreIndex;
import org.trustfleet.truststore.TrustStoreService;

/**
 * Computes and stores each device group's requirements from the latest scans, the platform stores and the tenant's
 * anchors, through the pure {@link PolicyEngine}. A new version is stored only when the certificate set changed.
 */
@ApplicationScoped
public class RequirementsService {
    private final PolicyEngine engine = PolicyEngine.create();
    private final DeviceGroupService groups;
    private final EndpointService endpoints;
    private final ScanService scans;
    private final TrustStoreService stores;
    private final AnchorService anchors;
    private final CertificateStore certificates;
    private final ObservedStoreService observedStores;
    private final JsonColumns json;
    private final AgroalDataSource db;
    private final Clock clock;
    private final Event<RequirementsChanged> changed;
    /**
     * Per-endpoint analyses by (endpoint, scan, store snapshot, tenant anchors, candidate pool, verified name, UTC
     * day): any change of an input is a new key, and the day bounds how long an analysis made with yesterday's
     * "now" (expiry checks) is reused.
     */
    private final BoundedCache<String, EndpointFixOptions> analyses;
    /**
     * Server chain assessments by the analysis key (empty: no chain observed): the groups of a tenant differ in their
     * level ranges, and each chooses its server fix from the one assessment.
     */
    private final BoundedCache<String, Optional<ServerChainOptions>> serverChains;
    /** The delivered fingerprints of group versions: immutable, so nothing to invalidate across replicas. */
    private final BoundedCache<VersionKey, DesiredSet> desiredSets;

    public RequirementsService(DeviceGroupService groups, EndpointService endpoints, ScanService scans,
            TrustStoreService stores, AnchorService anchors, CertificateStore certificates,
            ObservedStoreService observedStores, JsonColumns json, Clock clock, Event<RequirementsChanged> changed,
            TrustfleetConfig config, AgroalDataSource db) {
        this.db = db;
        this.observedStores = observedStores;
        this.groups = groups;
        this.endpoints = endpoints;
        this.scans = scans;
        this.stores = stores;
        this.anchors = anchors;
        this.certificates = certificates;
        this.json = json;
        this.clock = clock;
        this.changed = changed;
        this.analyses = Caches.bounded("endpoint-analyses", config.cache().analysesMaxEntries());
        this.serverChains = Caches.bounded("endpoint-server-chains", config.cache().analysesMaxEntries());
        this.desiredSets = Caches.bounded("desired-sets", config.cache().desiredSetsMaxEntries());
    }

    /**
     * The group's current requirements, computed first if they never were or a platform store change left them
     * pending (the background sweep has not reached the group yet): a reader sees the change at once.
     */
    @Transactional
    public GroupRequirements current(UUID tenantId, UUID groupId) {
        groups.get(tenantId, groupId);
        GroupRequirementsEntity row = GroupRequirementsEntity.findById(groupId);
        if (row == null || pending(row)) {
            return recompute(groupId).orElseThrow(() -> TrustfleetException.notFound("device group"));
        }
        return stored(row).toApi(row.groupId, row.version, row.computedAt);
    }

    /**
     * The group's requirements as delivered, without the per-endpoint server fixes: what a summary of the tenant (the
     * drift report) shows. As {@link #certificateSet}, a group never computed is computed first, and a version a store
     * change left pending is reported until the background recompute commits the next one (a report over thousands
     * of groups does not compute them inline while the sweep is at it). The server fixes are left out in the
     * database: they are most of a group's document, megabytes for a tenant with a thousand endpoints.
     */
    @Transactional
    public GroupRequirements deliveredWithoutServerFixes(UUID tenantId, UUID groupId) {
        groups.get(tenantId, groupId);
        List<?> found = GroupRequirementsEntity.getEntityManager().createNativeQuery("""
                SELECT version, computed_at, CAST(document - 'serverFixes' AS text)
                FROM group_requirements WHERE group_id = ?1""").setParameter(1, groupId).getResultList();
        // version 0: a row placed for a first computation that has not committed yet
        if (found.isEmpty() || ((Number) ((Object[]) found.get(0))[0]).longValue() == 0) {
            GroupRequirements computed = current(tenantId, groupId);
            return new GroupRequirements(computed.groupId(), computed.version(), computed.computedAt(),
                    computed.certificates(), computed.unresolved(), computed.advice(), List.of());
        }
        Object[] row = (Object[]) found.get(0);
        return json.read((String) row[2], StoredRequirements.class).toApi(groupId, ((Number) row[0]).longValue(),
                NativeColumns.instant(row[1]));
    }

    /**
     * What the given groups' devices should hold: for each of the tenant's groups among them (others, e.g. deleted
     * meanwhile, are absent), the version its devices are delivered and that version's fingerprints, with the
     * versions read in one query. As {@link #certificateSet}, a group never computed is computed first, and a
     * version a store change left pending is still the one devices are judged against until the background
     * recompute commits the next (they cannot have the next one before). A group's whole requirements document is
     * read once per version: the set of a version never changes, so it is kept by (group, version).
     */
    @Transactional
    public Map<UUID, DesiredSet> desiredSets(UUID tenantId, java.util.Collection<UUID> groupIds) {
        Map<UUID, DesiredSet> out = new HashMap<>();
        if (groupIds.isEmpty()) {
            return out;
        }
        for (Object found : GroupRequirementsEntity.getEntityManager().createNativeQuery("""
                        SELECT g.id, r.version
                        FROM device_group g LEFT JOIN group_requirements r ON r.group_id = g.id
                        WHERE g.tenant_id = ?1 AND g.id = ANY(?2)""")
                .setParameter(1, tenantId).setParameter(2, groupIds.toArray(UUID[]::new)).getResultList()) {
            Object[] row = (Object[]) found;
            UUID groupId = (UUID) row[0];
            long version = row[1] == null ? 0 : ((Number) row[1]).longValue();
            // version 0: a row placed for a first computation, never computed yet
            if (version == 0) {
                GroupRequirements computed = current(tenantId, groupId);
                out.put(groupId, new DesiredSet(computed.version(), computed.sha256s()));
                continue;
            }
            DesiredSet set = desiredSets.get(new VersionKey(groupId, version));
            if (set == null) {
                // the row as it is now (a recompute may have committed a later version since the read above): its
                // set is kept under its own version
                GroupRequirementsEntity stored = GroupRequirementsEntity.findById(groupId);
                set = new DesiredSet(stored.version, stored(stored).certificates().stream()
                        .map(StoredRequirements.Certificate::sha256).toList());
                desiredSets.put(new VersionKey(groupId, stored.version), set);
            }
            out.put(groupId, set);
        }
        return out;
    }

    /** A version of a group's requirements. */
    private record VersionKey(UUID groupId, long version) {}

    /**
     * The certificates of the group's current version, parsed and with their roles, in the set's order: what signed
     * payloads and console exports deliver. Computed first if the group's requirements never were; 404 when the
     * group is not the tenant's. A version a store change left pending is still delivered until the background
     * recompute has committed the next one: delivery never waits for (or competes with) that work.
     */
    @Transactional
    public CertificateSet certificateSet(UUID tenantId, UUID groupId) {
        groups.get(tenantId, groupId);
        Object[] row = deliveredCertificates(groupId);
        if (row == null) {
            recompute(groupId).orElseThrow(() -> TrustfleetException.notFound("device group"));
            row = deliveredCertificates(groupId);
        }
        long version = ((Number) row[0]).longValue();
        List<StoredRequirements.Certificate> members = json.read((String) row[1], StoredRequirements.class)
                .certificates();
        Map<String, X509Certificate> bySha = certificates.findAllBySha256(members.stream()
                .map(StoredRequirements.Certificate::sha256).toList());
        List<CertificateSet.Member> set = new ArrayList<>(members.size());
        for (StoredRequirements.Certificate member : members) {
            X509Certificate certificate = bySha.get(member.sha256());
            if (certificate == null) {
                // a recompute records every certificate it delivers, and certificate rows are never deleted
                throw new IllegalStateException("certificate " + member.sha256() + " of group " + groupId
                        + " is not in the certificate store");
            }
            set.add(new CertificateSet.Member(certificate, member.role()));
        }
        return new CertificateSet(groupId, version, set);
    }

    /**
     * The version and the stored requirements document without its server fixes, problems and advice, or null without
     * a row: payloads need no more, and the server fixes are most of a document (megabytes for a group with a
     * thousand endpoints, which every fetch of a new version would otherwise read and parse).
     */
    private static Object[] deliveredCertificates(UUID groupId) {
        List<?> found = GroupRequirementsEntity.getEntityManager().createNativeQuery("""
                SELECT version, CAST(document - CAST('{serverFixes,unresolved,advice}' AS text[]) AS text)
                FROM group_requirements WHERE group_id = ?1""").setParameter(1, groupId).getResultList();
        return found.isEmpty() ? null : (Object[]) found.get(0);
    }

    /**
     * Recomputes one group in a transaction of its own (callers are often after-commit observers, whose finished
     * transaction is still bound to the thread); returns empty when the group no longer exists.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Optional<GroupRequirements> recompute(UUID groupId) {
        Optional<DeviceGroupService.Coverage> found = groups.coverage(groupId);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        // locked (and its recompute_wanted read) before any input: a store change committing from here on waits for
        // this transaction and then leaves the group pending
        LockedRow row = lockRows(List.of(groupId)).get(groupId);
        UUID tenantId = found.get().group().tenantId();
        TenantInputs inputs = inputs(List.of(tenantId)).get(tenantId);
        Instant now = Instant.now(clock);
        Stored stored = compute(found.get(), inputs, row, now, replicaAnalyses());
        write(List.of(stored), now);
        return Optional.of(stored.document().toApi(groupId, stored.version(), now));
    }

    /**
     * Recomputes groups of several tenants in one transaction, reading the tenants' endpoints, latest scans and
     * anchors once for all of them (one statement each) and the platform stores once: the background sweep after a
     * platform store change, where every group of every tenant is due and most tenants have a few groups. Groups
     * that no longer exist or belong to another tenant than the one they are listed under are skipped; returns how
     * many were computed. If one group fails, none of the batch is committed (the caller tries its tenants, then
     * their groups, alone).
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public int recomputeTenants(Map<UUID, List<UUID>> groupsByTenant) {
        // in (tenant, group) order, the order a store change marks rows in, so that both lock them alike; locked
        // before any input, as in recompute, and in one statement for the batch
        java.util.Comparator<UUID> asPostgres = java.util.Comparator.comparing(UUID::toString);
        List<UUID> tenants = groupsByTenant.keySet().stream().sorted(asPostgres).toList();
        List<UUID> ordered = tenants.stream()
                .flatMap(t -> groupsByTenant.get(t).stream().sorted(asPostgres)).distinct().toList();
        Map<UUID, LockedRow> rows = lockRows(ordered);
        Map<UUID, TenantInputs> inputs = inputs(tenants);
        Map<UUID, DeviceGroupService.Coverage> coverages = groups.coverages(ordered);
        Instant now = Instant.now(clock);
        Analyses batchAnalyses = Analyses.of(new HashMap<>(), new HashMap<>());
        List<Stored> computed = new ArrayList<>();
        for (UUID tenantId : tenants) {
            for (UUID groupId : groupsByTenant.get(tenantId).stream().sorted(asPostgres).distinct().toList()) {
                DeviceGroupService.Coverage found = coverages.get(groupId);
                if (found != null && found.group().tenantId().equals(tenantId)) {
                    computed.add(compute(found, inputs.get(tenantId), rows.get(groupId), now, batchAnalyses));
                }
            }
        }
        write(computed, now);
        return computed.size();
    }

    /**
     * What every group of a tenant is computed from. {@code pools}: the candidate pools built so far, by the
     * fingerprints of the includes they were built with; the tenant's groups mostly share one (they include
     * nothing), and building it and its key for each group was 3 % of a store change's sweep. {@code fingerprints}:
     * the SHA-256 each certificate of the tenant's latest scans was read by.
     */
    private record TenantInputs(List<Endpoint> endpoints, Map<UUID, ScanObservation> latest, StoreSnapshot snapshot,
            List<X509Certificate> anchors, String anchorsKey, Map<UUID, List<X509Certificate>> presented,
            Map<UUID, List<X509Certificate>> extra, Map<X509Certificate, String> fingerprints,
            Map<Set<String>, CandidatePool> pools) {}

    /** A candidate pool ({@link PolicyEngine#candidatePool}) and the key of its certificates. */
    private record CandidatePool(List<X509Certificate> certificates, String key) {}

    /**
     * What the given tenants' groups are computed from, each tenant's own: one statement for all their endpoints,
     * one for the latest scans of those and one for their anchors, whatever the number of tenants.
     */
    private Map<UUID, TenantInputs> inputs(List<UUID> tenantIds) {
        Map<UUID, List<Endpoint>> endpointsByTenant = endpoints.listOf(tenantIds);
        Map<UUID, ScanObservation> latest = scans.latestObservations(endpointsByTenant.values().stream()
                .flatMap(List::stream).map(Endpoint::id).toList()).stream()
                .collect(Collectors.toMap(ScanObservation::endpointId, Function.identity()));
        Map<UUID, List<X509Certificate>> anchorsByTenant = anchors.certificatesOf(tenantIds);
        StoreSnapshot snapshot = stores.snapshot();
        Map<UUID, TenantInputs> out = new HashMap<>();
        for (UUID tenantId : tenantIds) {
            List<Endpoint> tenantEndpoints = endpointsByTenant.get(tenantId);
            Map<UUID, ScanObservation> tenantLatest = new HashMap<>();
            Map<UUID, List<X509Certificate>> presentedByEndpoint = new HashMap<>();
            Map<UUID, List<X509Certificate>> extraByEndpoint = new HashMap<>();
            Map<X509Certificate, String> fingerprints = new HashMap<>();
            for (Endpoint endpoint : tenantEndpoints) {
                ScanObservation scan = latest.get(endpoint.id());
                if (scan != null) {
                    tenantLatest.put(endpoint.id(), scan);
                    presentedByEndpoint.put(endpoint.id(), scan.presented());
                    extraByEndpoint.put(endpoint.id(), scan.completion());
                    fingerprints.putAll(scan.fingerprints());
                }
            }
            List<X509Certificate> tenantAnchors = anchorsByTenant.get(tenantId);
            out.put(tenantId, new TenantInputs(tenantEndpoints, tenantLatest, snapshot, tenantAnchors,
                    keyOf(tenantAnchors), presentedByEndpoint, extraByEndpoint, fingerprints, new HashMap<>()));
        }
        return out;
    }

    /**
     * Where a computation finds the endpoint analyses and server chain assessments made before it, by analysis key,
     * and leaves its own. A single group's recompute uses the replica's caches ({@code replicaAnalyses()}), so that
     * its tenant's next recompute finds them. A batch of the store change sweep keeps its own ({@link #of}), dropped
     * with it: after a store change no cached analysis is current (the key holds the store snapshot), the batch's
     * groups reuse only what the batch computed (a tenant's groups are all in one batch, {@link RecomputeSweep}
     * claiming whole tenants). Through the replica's bounded caches, 10 times their size at 100,000 endpoints, a
     * sweep analysed each endpoint about 1.6 times: the caches often refused or evicted a tenant's new entries
     * before its next groups asked for them.
     */
    private record Analyses(Function<String, EndpointFixOptions> find, BiConsumer<String, EndpointFixOptions> keep,
            Function<String, Optional<ServerChainOptions>> findServerChains,
            BiConsumer<String, Optional<ServerChainOptions>> keepServerChains) {

        /** Analyses kept in two maps of the caller's. */
        static Analyses of(Map<String, EndpointFixOptions> analyses,
                Map<String, Optional<ServerChainOptions>> serverChains) {
            return new Analyses(analyses::get, analyses::put, serverChains::get, serverChains::put);
        }
    }

    private Analyses replicaAnalyses() {
        return new Analyses(analyses::get, analyses::put, serverChains::get, serverChains::put);
    }

    /**
     * {@code row}: the group's requirement row as locked before the inputs were read, or null when it had none;
     * {@code reused}: where earlier analyses are found and this one's are kept.
     */
    private Stored compute(DeviceGroupService.Coverage found, TenantInputs in, LockedRow row,
            Instant now, Analyses reused) {
        DeviceGroup group = found.group();
        List<Endpoint> tenantEndpoints = in.endpoints();
        Map<UUID, ScanObservation> latest = in.latest();
        StoreSnapshot snapshot = in.snapshot();
        StoreIndex platform = snapshot.index();
        String storesKey = "platform";
        if (group.storeSource() != StoreSource.BUNDLED) {
            List<ObservedStore> observed = observedStores.ofGroup(group.id());
            if (!observed.isEmpty()) {
                platform = StoreSelection.select(platform, group.storeSource(), observedStates(snapshot, observed));
                storesKey = group.storeSource() + ":" + keyOfStores(observed);
            }
        }
        List<X509Certificate> tenantAnchors = in.anchors();
        // only what the tenant can see: a group stored before includes were checked cannot pull in another
        // tenant's certificate either
        Map<String, X509Certificate> includes = groups.visibleTo(group.tenantId(), group.include());
        Map<UUID, List<X509Certificate>> presentedByEndpoint = in.presented();
        Map<UUID, List<X509Certificate>> extraByEndpoint = in.extra();
        // every certificate the tenant's endpoints showed or completed with, so that one endpoint's
        // intermediate can fix another's chain (the engine only tries what it is given)
        CandidatePool candidates = in.pools().computeIfAbsent(Set.copyOf(includes.keySet()), k -> {
            List<X509Certificate> built = PolicyEngine.candidatePool(includes, tenantEndpoints.stream()
                    .map(e -> observation(e, latest.get(e.id()), presentedByEndpoint, extraByEndpoint)).toList());
            return new CandidatePool(built, keyOf(built));
        });
        List<X509Certificate> pool = candidates.certificates();
        String contextKey = snapshot.version() + "/" + storesKey + "/" + in.anchorsKey() + "/" + candidates.key();

        GroupSpec spec = new GroupSpec(group.id(), group.minApiLevel(), group.maxApiLevel(), group.managementMode(),
                Set.copyOf(group.endpointIds()), Set.copyOf(group.include()), Set.copyOf(group.exclude()));
        if (!found.allEndpoints() && group.endpointIds().isEmpty()) {
            // the endpoints the group named were all deleted: it covers none (an empty spec would mean all of them)
            Requirements none = coversNoEndpoint(engine.requirements(spec, List.of(), includes, now), snapshot, spec,
                    "the endpoints this group named were deleted");
            certificates.record(none.certificates().stream().map(RequiredCertificate::certificate).toList());
            return prepare(group, none, List.of(), List.of(), now, row);
        }
        List<EndpointFixOptions> groupAnalyses = new ArrayList<>();
        List<GroupRequirements.EndpointServerFix> serverFixes = new ArrayList<>();
        for (Endpoint endpoint : tenantEndpoints) {
            if (!spec.covers(endpoint.id())) {
                continue;
            }
            ScanObservation scan = latest.get(endpoint.id());
            String cacheKey = endpoint.id() + "/" + (scan == null ? "none" : scan.id()) + "/" + contextKey + "/"
                    + endpoint.verifiedName() + "/" + LocalDate.ofInstant(now, ZoneOffset.UTC);
            EndpointObservation observation = observation(endpoint, scan, presentedByEndpoint, extraByEndpoint);
            // the endpoint's analysis and its server chain assessment judge mostly the same paths: checked once
            // with the fingerprints the tenant's scans were read by: their certificates (the candidate pool's too)
            // are not hashed again for each endpoint
            ComputationMemo memo = platform.memo(in.fingerprints());
            EndpointFixOptions analysis = reused.find().apply(cacheKey);
            if (analysis == null) {
                analysis = engine.analyze(observation, platform, tenantAnchors, pool, now, memo);
                reused.keep().accept(cacheKey, analysis);
            }
            serverFix(spec, analysis, cacheKey, observation, scan, platform, tenantAnchors, pool, now, memo, reused)
                    .ifPresent(serverFixes::add);
            groupAnalyses.add(analysis);
        }
        Requirements requirements = engine.requirements(spec, groupAnalyses, includes, now);
        if (groupAnalyses.isEmpty()) {
            requirements = coversNoEndpoint(requirements, snapshot, spec, "the tenant has no endpoint");
        }
        certificates.record(requirements.certificates().stream().map(RequiredCertificate::certificate).toList());
        List<Endpoint> covered = tenantEndpoints.stream().filter(e -> spec.covers(e.id())).toList();
        return prepare(group, requirements, serverFixes, covered, now, row);
    }

    /**
     * The endpoint's server fix for the group's levels, when some of them reject the presented chain (an endpoint
     * every level of the group accepts needs no server change worth listing). Built from what the analysis uses plus
     * the chain the scan proposed, which may hold a cross-signed root seen elsewhere. The chains are assessed once per
     * analysis key, and not at all while the analysis finds every level of the group trusted: its {@code TRUSTED} is
     * the same validation of the presented chain against the level's platform store as the assessment's verdict as
     * presented.
     */
    private Optional<GroupRequirements.EndpointServerFix> serverFix(GroupSpec spec, EndpointFixOptions analysis,
            String cacheKey, EndpointObservation observation, ScanObservation scan, StoreIndex platform,
            List<X509Certificate> tenantAnchors, List<X509Certificate> pool, Instant now, ComputationMemo memo,
            Analyses reused) {
        if (scan == null || analysis.levels().entrySet().stream()
                .filter(e -> spec.coversLevel(e.getKey()))
                .allMatch(e -> e.getValue().verdict() == Verdict.TRUSTED)) {
            return Optional.empty();
        }
        Optional<ServerChainOptions> options = reused.findServerChains().apply(cacheKey);
        if (options == null) {
            List<X509Certificate> known = new ArrayList<>(observation.extraCandidates());
            known.addAll(scan.serverChain());
            known.addAll(tenantAnchors);
            known.addAll(pool);
            options = engine.serverChains(observation, platform, known, now, memo);
            reused.keepServerChains().accept(cacheKey, options);
        }
        return options.flatMap(o -> engine.serverFix(o, spec))
                .filter(fix -> fix.perLevel().values().stream().anyMatch(v -> !v.trustedAsPresented()))
                .map(fix -> new GroupRequirements.EndpointServerFix(observation.endpointId(),
                        ServerFixAdvice.of(fix)));
    }

    /**
     * The group's next version: a new one when the delivered set changed. The set is the certificates and, since
     * payloads list the endpoints devices verify, the covered endpoints' addresses and protocols (a group without
     * endpoints keys exactly as before they counted, so its version does not move). {@code locked}: the row as
     * {@link #lockRows} found it, or null for a group computed for the first time, whose row is placed and locked
     * here. Nothing is written until {@link #write}.
     */
    private Stored prepare(DeviceGroup group, Requirements requirements,
            List<GroupRequirements.EndpointServerFix> serverFixes, List<Endpoint> covered, Instant now,
            LockedRow locked) {
        String set = requirements.certificates().stream()
                .map(c -> c.sha256() + ":" + c.role()).sorted().collect(Collectors.joining(","));
        if (!covered.isEmpty()) {
            set += "|endpoints:" + covered.stream()
                    .map(e -> e.id() + "@" + e.host() + ":" + e.port() + "/" + e.serverName()
                            // only a non-default protocol: the keys of TLS endpoints stay as they were
                            + (e.startTlsProtocol() == StartTlsProtocol.TLS ? "" : "+" + e.protocol())).sorted()
                    .collect(Collectors.joining(","));
        }
        String setKey = Sha256.hex(set.getBytes(StandardCharsets.UTF_8));
        LockedRow row = locked;
        if (row == null) {
            // the first computation: make sure a row exists (another replica may be inserting it too), then lock it
            GroupRequirementsEntity.getEntityManager().createNativeQuery("""
                    INSERT INTO group_requirements (group_id, tenant_id, version, set_key, computed_at, document)
                    VALUES (?1, ?2, 0, '', ?3, '{}') ON CONFLICT (group_id) DO NOTHING""")
                    .setParameter(1, group.id()).setParameter(2, group.tenantId())
                    .setParameter(3, Timestamp.from(now)).executeUpdate();
            LockedRow placed = lockRows(List.of(group.id())).get(group.id());
            // its recompute_wanted is read after the inputs: counted as 0, as when the group had no row before
            row = new LockedRow(placed.version(), placed.setKey(), 0, placed.documentSha256());
        }
        boolean newVersion = !setKey.equals(row.setKey());
        return new Stored(group, StoredRequirements.of(requirements, serverFixes),
                newVersion ? row.version() + 1 : row.version(), setKey, row.recomputeWanted(), newVersion,
                row.documentSha256());
    }

    /**
     * The most documents' bytes (UTF-8) one statement of {@link #write} carries, unless one document is larger: it
     * bounds what one statement holds in the service and in PostgreSQL while it is parsed and run.
     */
    static final int DOCUMENT_BYTES_PER_STATEMENT = 192 * 1024;

    /**
     * The most documents one statement of {@link #write} carries: each is six of its parameters, and PostgreSQL takes at
     * most 65,535.
     */
    static final int DOCUMENTS_PER_STATEMENT = 1_000;

    /** One row of {@link #WRITE_DOCUMENTS}' values; the document goes as its UTF-8 bytes. */
    private static final String DOCUMENT_ROW = "(CAST(? AS uuid), CAST(? AS bigint), CAST(? AS text), "
            + "CAST(? AS bigint), CAST(? AS bytea), CAST(? AS text))";

    /** Writes new documents: the computation time, then {@link #DOCUMENT_ROW} for each group in place of %s. */
    private static final String WRITE_DOCUMENTS = """
            UPDATE group_requirements r SET version = u.version, set_key = u.set_key, computed_at = ?,
                document = CAST(convert_from(u.document, 'UTF8') AS jsonb), document_sha256 = u.document_sha256,
                recompute_done = GREATEST(r.recompute_done, u.wanted), recompute_lease_until = NULL
            FROM (VALUES %s) AS u(group_id, version, set_key, wanted, document, document_sha256)
            WHERE r.group_id = u.group_id""";

    /**
     * Writes the groups' prepared versions (their rows are locked by this transaction), then tells the observers of
     * the new versions, once for all of them, and they read them back (the version history is written by a trigger). The groups whose document
     * is the one already stored (the digest read with the row's lock matches) keep it: a platform store change
     * recomputes every group and most come out as they were, and writing a document again cost twenty times the rest
     * of the row (parsing its JSON into jsonb, compressing and storing it). A few statements for a batch of the
     * store change sweep rather than one per group: the per-statement work, in the service and in PostgreSQL, was
     * most of what writing a version cost. Each document is a parameter of its own holding the UTF-8 bytes its
     * digest was taken from: in a {@code text[]} parameter the driver encoded the documents again, into a buffer
     * that grows by doubling and is then copied (2.1 GB of the 19.6 GB the sweep's threads allocated in a store
     * change of 50,000 groups; the write allocates 0.8 GB in all now, bench/scale/RESULTS.md, Run 39).
     */
    private void write(List<Stored> prepared, Instant now) {
        if (prepared.isEmpty()) {
            return;
        }
        List<Stored> rewritten = new ArrayList<>();
        List<byte[]> documents = new ArrayList<>();
        List<String> digests = new ArrayList<>();
        List<Stored> kept = new ArrayList<>();
        for (Stored p : prepared) {
            byte[] utf8 = json.write(p.document()).getBytes(StandardCharsets.UTF_8);
            String digest = Sha256.hex(utf8);
            if (digest.equals(p.storedDocumentSha256())) {
                kept.add(p);
            } else {
                rewritten.add(p);
                documents.add(utf8);
                digests.add(digest);
            }
        }
        // the old documents are never read: the new ones replace them whole. The sweep's lease ends with the write:
        // left until it ran out, it held the next store change's sweep back from the group for up to two minutes (a
        // second change right after a first took 104 s for 30 s of work). The digest is always a new value here,
        // which is what V42's trigger checks to tell this writer from others.
        int from = 0;
        List<Integer> sizes = documents.stream().map(d -> d.length).toList();
        for (int to : runEnds(sizes, DOCUMENT_BYTES_PER_STATEMENT, DOCUMENTS_PER_STATEMENT)) {
            writeDocuments(rewritten.subList(from, to), documents.subList(from, to), digests.subList(from, to), now);
            from = to;
        }
        if (!kept.isEmpty()) {
            keepDocuments(kept, now);
        }
        List<RequirementsChanged.NewVersion> versions = prepared.stream().filter(Stored::newVersion)
                .map(p -> new RequirementsChanged.NewVersion(p.group().tenantId(), p.group().id(), p.group().name(),
                        p.version()))
                .toList();
        if (!versions.isEmpty()) {
            changed.fire(new RequirementsChanged(versions));
        }
    }

    /**
     * Where consecutive runs of items end (exclusive), each run as long as its sizes add up to at most
     * {@code budget} and it has at most {@code maxItems} items; an item larger than the budget is a run of its own.
     * None for no items.
     */
    static List<Integer> runEnds(List<Integer> sizes, long budget, int maxItems) {
        List<Integer> ends = new ArrayList<>();
        long run = 0;
        int start = 0;
        for (int i = 0; i < sizes.size(); i++) {
            if (i > start && (run + sizes.get(i) > budget || i - start == maxItems)) {
                ends.add(i);
                run = 0;
                start = i;
            }
            run += sizes.get(i);
        }
        if (!sizes.isEmpty()) {
            ends.add(sizes.size());
        }
        return ends;
    }

    /** One statement of {@link #write}: the groups' new versions with their documents and the digests of those. */
    private void writeDocuments(List<Stored> rows, List<byte[]> documents, List<String> digests, Instant now) {
        String sql = WRITE_DOCUMENTS.formatted(String.join(", ", Collections.nCopies(rows.size(), DOCUMENT_ROW)));
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setTimestamp(1, Timestamp.from(now));
            int p = 2;
            for (int i = 0; i < rows.size(); i++) {
                Stored row = rows.get(i);
                s.setObject(p++, row.group().id());
                s.setLong(p++, row.version());
                s.setString(p++, row.setKey());
                s.setLong(p++, row.recomputeWanted());
                s.setBytes(p++, documents.get(i));
                s.setString(p++, digests.get(i));
            }
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("writing group requirements failed", e);
        }
    }

    /**
     * {@link #write}'s statement for groups that keep their stored document: their versions, keys and recompute
     * marks only.
     */
    private static void keepDocuments(List<Stored> rows, Instant now) {
        UUID[] ids = new UUID[rows.size()];
        Long[] versions = new Long[ids.length];
        String[] setKeys = new String[ids.length];
        Long[] wanted = new Long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            Stored p = rows.get(i);
            ids[i] = p.group().id();
            versions[i] = p.version();
            setKeys[i] = p.setKey();
            wanted[i] = p.recomputeWanted();
        }
        // the version may still move (a covered endpoint's address is in the set's key, not in the document)
        GroupRequirementsEntity.getEntityManager().createNativeQuery("""
                UPDATE group_requirements r SET version = u.version, set_key = u.set_key, computed_at = ?1,
                    recompute_done = GREATEST(r.recompute_done, u.wanted), recompute_lease_until = NULL
                FROM unnest(CAST(?2 AS uuid[]), CAST(?3 AS bigint[]), CAST(?4 AS text[]), CAST(?5 AS bigint[]))
                    AS u(group_id, version, set_key, wanted)
                WHERE r.group_id = u.group_id""")
                .setParameter(1, Timestamp.from(now)).setParameter(2, ids).setParameter(3, versions)
                .setParameter(4, setKeys).setParameter(5, wanted).executeUpdate();
    }

    /**
     * A group's requirements as prepared, then stored by {@link #write}. The API's shape is built only by callers that
     * answer with it: the sweep after a store change discards it, and building it was 1.3 % of the sweep's CPU.
     */
    private record Stored(DeviceGroup group, StoredRequirements document, long version, String setKey,
            long recomputeWanted, boolean newVersion, String storedDocumentSha256) {}

    /**
     * What a recompute needs of a group's requirement row besides the document, read under the row's lock; the
     * digest of the stored document is null when it is not known (V42).
     */
    private record LockedRow(long version, String setKey, long recomputeWanted, String documentSha256) {}

    /**
     * Locks the groups' requirement rows for the rest of the transaction (concurrent recomputes, on other replicas
     * too, take turns), in (tenant, group) order as a store change marks them, and reads their
     * {@code recompute_wanted}: a store change marking them from here on waits for this transaction, then leaves them
     * pending. Groups without a row are absent. The documents are not read, only their digests.
     */
    private static Map<UUID, LockedRow> lockRows(List<UUID> groupIds) {
        Map<UUID, LockedRow> rows = new HashMap<>();
        if (groupIds.isEmpty()) {
            return rows;
        }
        for (Object found : GroupRequirementsEntity.getEntityManager().createNativeQuery("""
                        SELECT group_id, version, set_key, recompute_wanted, document_sha256 FROM group_requirements
                        WHERE group_id = ANY(?1) ORDER BY tenant_id, group_id FOR UPDATE""")
                .setParameter(1, groupIds.toArray(UUID[]::new)).getResultList()) {
            Object[] columns = (Object[]) found;
            rows.put((UUID) columns[0], new LockedRow(((Number) columns[1]).longValue(), (String) columns[2],
                    ((Number) columns[3]).longValue(), (String) columns[4]));
        }
        return rows;
    }

    /** Whether a platform store change asked for this group to be computed again and no recompute has since. */
    private static boolean pending(GroupRequirementsEntity row) {
        return row.recomputeWanted > row.recomputeDone;
    }

    private StoredRequirements stored(GroupRequirementsEntity row) {
        return json.read(row.document, StoredRequirements.class);
    }

    /**
     * The requirements of a group that covers no endpoint say exactly that. The engine judges which levels have a
     * platform store from the analyses it is given, so with none it would claim that no store is known for the
     * range: that advice stays only when it is true.
     */
    private static Requirements coversNoEndpoint(Requirements requirements, StoreSnapshot snapshot, GroupSpec group,
            String why) {
        boolean storeKnown = snapshot.byApiLevel().keySet().stream()
                .anyMatch(group::coversLevel);
        List<Advice> advice = new ArrayList<>(requirements.advice().stream()
                .filter(a -> !(storeKnown && a.code() == AdviceCode.NO_STORE_FOR_RANGE)).toList());
        // NO_ENDPOINTS is the last advice code, so appending keeps the engine's order (by code first)
        advice.add(new Advice(null, AdviceCode.NO_ENDPOINTS, null, "this group covers no endpoint (" + why
                + "): no certificate is needed for an endpoint; name endpoints in 'endpointIds', or leave it out to"
                + " cover every endpoint of the tenant"));
        return new Requirements(requirements.certificates(), requirements.unresolved(), advice);
    }

    private static EndpointObservation observation(Endpoint endpoint, ScanObservation scan,
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

    /**
     * The observed stores by level, each with the certificates of its ids that are known (platform stores first, then
     * the certificate store); an id nobody knows cannot anchor a chain the engine judges, so it is left out.
     */
    private Map<Integer, List<StoreIndex.State>> observedStates(StoreSnapshot snapshot, List<ObservedStore> observed) {
        Map<String, X509Certificate> known = new HashMap<>();
        snapshot.allStoreCertificates().forEach(c -> known.putIfAbsent(Sha256.of(c), c));
        List<String> unknown = observed.stream().flatMap(o -> o.sha256s().stream())
                .filter(id -> !known.containsKey(id)).distinct().toList();
        if (!unknown.isEmpty()) {
            certificates.findAllBySha256(unknown).forEach(known::putIfAbsent);
        }
        Map<Integer, List<StoreIndex.State>> out = new java.util.TreeMap<>();
        for (ObservedStore store : observed) {
            List<X509Certificate> members = store.sortedIds().stream().map(known::get)
                    .filter(java.util.Objects::nonNull).toList();
            out.computeIfAbsent(store.apiLevel(), k -> new ArrayList<>())
                    .add(new StoreIndex.State(store.name(), members, true));
        }
        return out;
    }

    private static String keyOfStores(List<ObservedStore> observed) {
        return Sha256.hex(observed.stream().map(o -> o.apiLevel() + ":" + o.digest()).sorted()
                .collect(Collectors.joining(",")).getBytes(StandardCharsets.UTF_8));
    }

    private static String keyOf(List<X509Certificate> certificates) {
        return Sha256.hex(certificates.stream().map(Sha256::of).sorted().collect(Collectors.joining(","))
                .getBytes(StandardCharsets.UTF_8));
    }


}
