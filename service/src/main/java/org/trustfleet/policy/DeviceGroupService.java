package org.trustfleet.policy;

import com.fasterxml.jackson.core.type.TypeReference;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.hibernate.validator.constraints.Range;
import org.trustfleet.core.JsonColumns;
import org.trustfleet.core.NativeColumns;
import org.trustfleet.core.NameCursor;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.pki.Certificates;
import org.trustfleet.pki.Sha256;
import org.trustfleet.scan.Endpoint;
import org.trustfleet.scan.EndpointService;
import org.trustfleet.truststore.AnchorService;
import org.trustfleet.truststore.CertificateStore;
import org.trustfleet.truststore.TrustStoreService;

/**
 * A tenant's device groups. Every change is followed by a recompute of that group's requirements.
 *
 * <p>An include may name only a certificate the tenant can already see ({@link #visibleTo}): its anchors, what its own
 * endpoints' scans showed, and the platform stores. Any other id gets the answer an unknown id gets, so that the
 * certificate table (shared by every tenant) is neither a source of other tenants' certificates nor an oracle for
 * them.
 */
@ApplicationScoped
public class DeviceGroupService {
    static final int MIN_LEVEL = 1;
    static final int MAX_LEVEL = 100;
    /**
     * Page size of the group list when {@code limit} is absent: the largest page, so a client written before the list
     * was paged still gets every group of any tenant up to that size in one answer.
     */
    public static final int DEFAULT_LIST_LIMIT = 1000;
    /** Largest page of the group list. */
    public static final int MAX_LIST_LIMIT = 1000;

    private final EndpointService endpoints;
    private final CertificateStore certificates;
    private final AnchorService anchors;
    private final TrustStoreService stores;
    private final JsonColumns json;
    private final Clock clock;
    private final Event<GroupChanged> changed;

    /** Fired after a group was created or replaced (not deleted: its requirements go with it). */
    public record GroupChanged(UUID tenantId, UUID groupId) {}

    public DeviceGroupService(EndpointService endpoints, CertificateStore certificates, AnchorService anchors,
            TrustStoreService stores, JsonColumns json, Clock clock, Event<GroupChanged> changed) {
        this.endpoints = endpoints;
        this.certificates = certificates;
        this.anchors = anchors;
        this.stores = stores;
        this.json = json;
        this.clock = clock;
        this.changed = changed;
    }

    @Transactional
    public DeviceGroup create(UUID tenantId, @NotNull @Valid DeviceGroupInput body) {
        DeviceGroupEntity entity = new DeviceGroupEntity();
        entity.id = UUID.randomUUID();
        entity.tenantId = tenantId;
        entity.createdAt = Instant.now(clock);
        apply(entity, body);
        entity.persist();
        changed.fire(new GroupChanged(tenantId, entity.id));
        return view(entity);
    }

    @Transactional
    public DeviceGroup replace(UUID tenantId, UUID groupId, @NotNull @Valid DeviceGroupInput body) {
        DeviceGroupEntity entity = entity(tenantId, groupId);
        apply(entity, body);
        changed.fire(new GroupChanged(tenantId, entity.id));
        return view(entity);
    }

    @Transactional
    public void delete(UUID tenantId, UUID groupId) {
        entity(tenantId, groupId).delete();
    }

    @Transactional
    public DeviceGroup get(UUID tenantId, UUID groupId) {
        return view(entity(tenantId, groupId));
    }

    @Transactional
    public List<DeviceGroup> list(UUID tenantId) {
        return DeviceGroupEntity.<DeviceGroupEntity>list("tenantId = ?1 order by name, id", tenantId).stream()
                .map(this::view).toList();
    }

    /**
     * A page of the tenant's groups by name (then id), continuing strictly after {@code after} (the last group of the
     * previous page; null for the first page). Keyset paging on the unique {@code (tenant_id, name)}: no OFFSET.
     */
    @Transactional
    public List<DeviceGroup> list(UUID tenantId, @Range(min = 1, max = MAX_LIST_LIMIT) Integer limit,
            NameCursor after) {
        int n = limit == null ? DEFAULT_LIST_LIMIT : limit;
        var query = after == null
                ? DeviceGroupEntity.<DeviceGroupEntity>find("tenantId = ?1 order by name, id", tenantId)
                // "name >= ?2" repeats what the second condition implies, so that the index range starts at the cursor
                : DeviceGroupEntity.<DeviceGroupEntity>find(
                        "tenantId = ?1 and name >= ?2 and (name > ?2 or id > ?3) order by name, id", tenantId,
                        after.name(), after.id());
        return query.page(0, n).list().stream().map(this::view).toList();
    }

    /**
     * A group and which endpoints it covers. The API's {@code endpointIds} is empty both for a group that named none
     * (it covers every endpoint) and for one whose named endpoints were all deleted (it covers none); this tells
     * them apart.
     *
     * @param allEndpoints true when the group covers every endpoint of the tenant; else exactly
     *                     {@link DeviceGroup#endpointIds()}
     */
    record Coverage(DeviceGroup group, boolean allEndpoints) {}

    /** Looks a group up by id alone, for internal recomputes. */
    @Transactional
    Optional<Coverage> coverage(UUID groupId) {
        return DeviceGroupEntity.<DeviceGroupEntity>findByIdOptional(groupId)
                .map(e -> new Coverage(view(e), e.allEndpoints));
    }

    /**
     * {@link #coverage} of many groups in one query (their named endpoints with them): the background
     * recompute after a platform store change, where looking each of 50,000 groups up alone was a twentieth of its
     * CPU. Groups that do not exist are absent.
     */
    @Transactional
    Map<UUID, Coverage> coverages(Collection<UUID> groupIds) {
        Map<UUID, Coverage> out = new HashMap<>();
        if (groupIds.isEmpty()) {
            return out;
        }
        // one native statement: a query with a list parameter ("id in ?1") and a multi-load both had Hibernate build
        // and translate their SQL again at every call, and hydrate entities the recompute never changes (8 % of a
        // store change's sweep with the first, 7 % with the second); a group's named endpoints come in the same row
        @SuppressWarnings("unchecked")
        List<Object[]> rows = DeviceGroupEntity.getEntityManager().createNativeQuery("""
                SELECT g.id, g.tenant_id, g.name, g.min_api_level, g.max_api_level, g.management_mode,
                       g.all_endpoints, g.include_sha256, g.exclude_sha256, g.created_at, g.updated_at, g.store_source,
                       (SELECT string_agg(CAST(e.endpoint_id AS text), ',') FROM device_group_endpoint e
                        WHERE e.group_id = g.id)
                FROM device_group g WHERE g.id = ANY(?1)""")
                .setParameter(1, groupIds.toArray(UUID[]::new)).getResultList();
        for (Object[] r : rows) {
            boolean allEndpoints = (Boolean) r[6];
            Set<UUID> named = new HashSet<>();
            if (r[12] != null) {
                for (String id : ((String) r[12]).split(",")) {
                    named.add(UUID.fromString(id));
                }
            }
            DeviceGroup group = view((UUID) r[0], (UUID) r[1], (String) r[2], ((Number) r[3]).intValue(),
                    ((Number) r[4]).intValue(), ManagementMode.valueOf((String) r[5]), allEndpoints, named,
                    (String) r[7], (String) r[8], NativeColumns.instant(r[9]), NativeColumns.instant(r[10]),
                    StoreSource.valueOf((String) r[11]));
            out.put(group.id(), new Coverage(group, allEndpoints));
        }
        return out;
    }

    /**
     * The endpoints the group covers, in id order (that of their canonical text): every endpoint of the tenant when it named none, else those it
     * names (none once they were all deleted). What its devices are told to verify, and may report on.
     */
    @Transactional
    public List<Endpoint> endpointsOf(UUID tenantId, UUID groupId) {
        DeviceGroupEntity entity = entity(tenantId, groupId);
        return endpoints.list(tenantId).stream()
                .filter(e -> entity.allEndpoints || entity.endpointIds.contains(e.id()))
                .sorted(java.util.Comparator.comparing(e -> e.id().toString())) // the canonical text order, as PostgreSQL sorts
                .toList();
    }

    /** The group's store source, empty when the group no longer exists. */
    @Transactional
    public Optional<StoreSource> storeSourceOf(UUID groupId) {
        return DeviceGroupEntity.<DeviceGroupEntity>findByIdOptional(groupId).map(e -> e.storeSource);
    }

    /** Ids of every group of the tenant (for recomputes after tenant-wide changes). */
    @Transactional
    public List<UUID> idsOfTenant(UUID tenantId) {
        return DeviceGroupEntity.<DeviceGroupEntity>list("tenantId = ?1 order by id", tenantId).stream()
                .map(g -> g.id).toList();
    }

    /** The groups of the tenant that must reach this endpoint: those naming it and those naming none. */
    @Transactional
    public List<UUID> idsCovering(UUID tenantId, UUID endpointId) {
        return DeviceGroupEntity.getEntityManager().createQuery("""
                select distinct g.id from DeviceGroupEntity g left join g.endpointIds e
                where g.tenantId = :tenant and (g.allEndpoints = true or e = :endpoint)
                order by g.id""", UUID.class)
                .setParameter("tenant", tenantId).setParameter("endpoint", endpointId).getResultList();
    }

    private static DeviceGroupEntity entity(UUID tenantId, UUID groupId) {
        DeviceGroupEntity entity = DeviceGroupEntity.findById(groupId);
        if (entity == null || !entity.tenantId.equals(tenantId)) {
            throw TrustfleetException.notFound("device group");
        }
        return entity;
    }

    private void apply(DeviceGroupEntity entity, DeviceGroupInput input) {
        // presence, lengths and ranges were checked on entry (the constraints of DeviceGroupInput)
        String name = input.name().strip();
        int min = input.minApiLevel();
        int max = input.maxApiLevel();
        if (min > max) {
            throw TrustfleetException.validation("'minApiLevel' must not be greater than 'maxApiLevel'");
        }
        ManagementMode mode = mode(input.managementMode());
        TreeSet<UUID> endpointIds = new TreeSet<>();
        for (UUID id : Optional.ofNullable(input.endpointIds()).orElse(List.of())) {
            if (id == null) {
                throw TrustfleetException.validation("'endpointIds' must not contain null");
            }
            try {
                Endpoint endpoint = endpoints.get(entity.tenantId, id);
                endpointIds.add(endpoint.id());
            } catch (TrustfleetException e) {
                throw TrustfleetException.validation("'endpointIds' names " + id
                        + ", which is not an endpoint of this tenant");
            }
        }
        TreeSet<String> include = shas(input.include(), "include");
        TreeSet<String> exclude = shas(input.exclude(), "exclude");
        Map<String, X509Certificate> visible = visibleTo(entity.tenantId, include);
        for (String sha256 : include) {
            // another tenant's certificate is answered exactly like one nobody has: no hint that it exists
            X509Certificate certificate = Optional.ofNullable(visible.get(sha256)).orElseThrow(() ->
                    TrustfleetException.validation("'include' names " + sha256 + ", which is not a known certificate:"
                            + " add it as a tenant anchor first"));
            if (!Certificates.isCaCertificate(certificate)) {
                throw TrustfleetException.validation("'include' names " + sha256 + ", which is not a CA certificate"
                        + " (basicConstraints CA=true and, when keyUsage is present, keyCertSign)");
            }
            if (exclude.contains(sha256)) {
                throw TrustfleetException.validation("certificate " + sha256 + " is both included and excluded");
            }
        }
        boolean clash = DeviceGroupEntity.count("tenantId = ?1 and lower(name) = ?2 and id <> ?3", entity.tenantId,
                name.toLowerCase(Locale.ROOT), entity.id) > 0;
        if (clash) {
            throw TrustfleetException.conflict("a device group named '" + name + "' already exists");
        }
        entity.name = name;
        entity.minApiLevel = min;
        entity.maxApiLevel = max;
        entity.managementMode = mode;
        entity.storeSource = storeSource(input.storeSource());
        entity.allEndpoints = endpointIds.isEmpty();
        entity.endpointIds.retainAll(endpointIds);
        entity.endpointIds.addAll(endpointIds);
        entity.includeSha256 = json.write(List.copyOf(include));
        entity.excludeSha256 = json.write(List.copyOf(exclude));
        entity.updatedAt = Instant.now(clock);
    }

    /**
     * Of {@code sha256s} (lower-case ids), the certificates the tenant can already see, by id: its anchors, the
     * certificates in the platform stores, and those its own endpoints' scans show (presented, completed path, fetched
     * by AIA, missing, proposed server chain). The one rule for includes, at input and when requirements are computed.
     */
    @Transactional
    public Map<String, X509Certificate> visibleTo(UUID tenantId, Collection<String> sha256s) {
        Set<String> wanted = new HashSet<>(sha256s);
        Map<String, X509Certificate> visible = new HashMap<>();
        if (wanted.isEmpty()) {
            return visible;
        }
        for (X509Certificate anchor : anchors.certificatesOf(tenantId)) {
            String id = Sha256.of(anchor);
            if (wanted.remove(id)) {
                visible.put(id, anchor);
            }
        }
        if (!wanted.isEmpty()) {
            for (X509Certificate stored : stores.snapshot().allStoreCertificates()) {
                String id = Sha256.of(stored);
                if (wanted.remove(id)) {
                    visible.put(id, stored);
                }
            }
        }
        if (!wanted.isEmpty()) {
            Set<String> shown = shownByScans(tenantId, wanted);
            visible.putAll(certificates.findAllBySha256(shown));
        }
        return visible;
    }

    /**
     * Which of {@code sha256s} a scan of the tenant's endpoints names, in any list its stored record keeps
     * ({@code scan.StoredScan}, version 1: {@code presented[].sha256}, {@code completedPath}, {@code findings[].sha256},
     * {@code perApiLevel[].missing}, {@code serverFix.chain}). Reached through the tenant's endpoints (indexed).
     */
    @SuppressWarnings("unchecked")
    private static Set<String> shownByScans(UUID tenantId, Set<String> sha256s) {
        List<String> found = DeviceGroupEntity.getEntityManager().createNativeQuery("""
                SELECT w.sha FROM unnest(CAST(:shas AS text[])) AS w(sha)
                WHERE EXISTS (
                    SELECT 1 FROM scan x
                    WHERE x.endpoint_id IN (SELECT e.id FROM endpoint e WHERE e.tenant_id = :tenant)
                      AND (x.document -> 'presented' @> jsonb_build_array(jsonb_build_object('sha256', w.sha))
                        OR x.document -> 'completedPath' @> jsonb_build_array(w.sha)
                        OR x.document -> 'findings' @> jsonb_build_array(jsonb_build_object('sha256', w.sha))
                        OR x.document -> 'serverFix' -> 'chain' @> jsonb_build_array(w.sha)
                        OR jsonb_path_exists(x.document, '$.perApiLevel[*].missing[*] ? (@ == $sha)',
                                             jsonb_build_object('sha', w.sha))))""")
                .setParameter("shas", sha256s.toArray(new String[0]))
                .setParameter("tenant", tenantId)
                .getResultList();
        return new HashSet<>(found);
    }

    private static ManagementMode mode(String value) {
        if (value == null) {
            return ManagementMode.FULLY_MANAGED;
        }
        try {
            return ManagementMode.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw TrustfleetException.validation("'managementMode' must be one of: " + java.util.Arrays.stream(
                    ManagementMode.values()).map(Enum::name).collect(java.util.stream.Collectors.joining(", ")));
        }
    }

    private static StoreSource storeSource(String value) {
        if (value == null) {
            return StoreSource.BUNDLED;
        }
        try {
            return StoreSource.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw TrustfleetException.validation("'storeSource' must be one of: " + java.util.Arrays.stream(
                    StoreSource.values()).map(Enum::name).collect(java.util.stream.Collectors.joining(", ")));
        }
    }

    private static TreeSet<String> shas(List<String> values, String field) {
        TreeSet<String> result = new TreeSet<>();
        for (String value : Optional.ofNullable(values).orElse(List.of())) {
            String sha = Sha256.parse(value == null ? null : value.strip()).orElseThrow(() ->
                    TrustfleetException.validation("'" + field + "' entries must be SHA-256 fingerprints"
                            + " (64 hex digits)"));
            result.add(sha);
        }
        return result;
    }

    private DeviceGroup view(DeviceGroupEntity e) {
        return view(e.id, e.tenantId, e.name, e.minApiLevel, e.maxApiLevel, e.managementMode, e.allEndpoints,
                e.endpointIds, e.includeSha256, e.excludeSha256, e.createdAt, e.updatedAt, e.storeSource);
    }

    /** A group row's columns as the domain sees them (the include and exclude lists are JSON text in the row). */
    private DeviceGroup view(UUID id, UUID tenantId, String name, int minApiLevel, int maxApiLevel,
            ManagementMode managementMode, boolean allEndpoints, Set<UUID> endpointIds, String includeSha256,
            String excludeSha256, Instant createdAt, Instant updatedAt, StoreSource storeSource) {
        return new DeviceGroup(id, tenantId, name, minApiLevel, maxApiLevel, managementMode,
                allEndpoints ? List.of() : List.copyOf(new TreeSet<>(endpointIds)),
                json.read(includeSha256, new TypeReference<List<String>>() {}),
                json.read(excludeSha256, new TypeReference<List<String>>() {}), createdAt, updatedAt, storeSource);
    }



}
