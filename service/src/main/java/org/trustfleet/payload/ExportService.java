package org.trustfleet.payload;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.JsonColumns;
import org.trustfleet.core.NativeColumns;
import org.trustfleet.core.Require;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.export.CertificateFiles;
import org.trustfleet.export.IntuneProfileType;
import org.trustfleet.export.IntuneProfiles;
import org.trustfleet.export.Onc;
import org.trustfleet.export.UserStoreCaveat;
import org.trustfleet.pki.Sha256;
import org.trustfleet.policy.AdviceCode;
import org.trustfleet.policy.CertificateSet;
import org.trustfleet.policy.DeviceGroup;
import org.trustfleet.policy.DeviceGroupService;
import org.trustfleet.policy.GroupRequirements;
import org.trustfleet.policy.RequirementsService;

/**
 * Payload definitions for MDM consoles: a group's current set in the console's format, the merge into an admin's
 * AMAPI policy, Intune's batch plan against the tenant's existing profiles, and what changed since a version.
 */
@ApplicationScoped
public class ExportService {
    private final DeviceGroupService groups;
    private final RequirementsService requirements;
    private final JsonColumns json;
    private final EntityManager entityManager;

    /** An export, the requirements version it was made from and its entity tag (hex SHA-256 of the body). */
    public record Export(ConsoleExport.Rendered rendered, long version, String etag) {}

    /**
     * The admin's AMAPI policy with Trustfleet's certificates replaced: send {@code policy} with {@code updateMask}
     * to {@code policies.patch}.
     */
    public record AmapiPolicyMerge(ObjectNode policy, String updateMask, long requirementsVersion,
            List<String> added, List<String> removed, String note) {}

    /** A certificate added to or removed from a group's set. */
    public record ChangedCertificate(String sha256, String role, String subject) {}

    /** What changed in a group's set between version {@code since} and {@code version} (the current one). */
    public record RequirementChanges(UUID groupId, long since, long version, List<ChangedCertificate> added,
            List<ChangedCertificate> removed) {}

    /**
     * One recorded version of a group's set and how it differs from the version before it. {@code complete} is
     * false for the oldest version shown when its predecessor is not recorded (it predates the change history):
     * then {@code added} is the whole set of that version, not a difference.
     */
    public record RecordedVersion(long version, Instant recordedAt, List<ChangedCertificate> added,
            List<ChangedCertificate> removed, boolean complete) {}

    public ExportService(DeviceGroupService groups, RequirementsService requirements, JsonColumns json,
            EntityManager entityManager) {
        this.groups = groups;
        this.requirements = requirements;
        this.json = json;
        this.entityManager = entityManager;
    }

    /**
     * @param sha256   for DER: which certificate of the set (optional when the set has exactly one)
     * @param assignTo for intune-graph-batch: the Entra group ids of the group's devices, comma-separated
     */
    @Transactional
    public Export export(UUID tenantId, UUID groupId, String formatName, String sha256, String assignTo) {
        ExportFormat format = ExportFormat.fromWire(formatName == null ? "" : formatName)
                .orElseThrow(() -> TrustfleetException.validation("'format' must be one of: "
                        + ExportFormat.wireNames()));
        DeviceGroup group = groups.get(tenantId, groupId);
        CertificateSet current = requirements.certificateSet(tenantId, groupId);
        List<X509Certificate> certificates = current.x509();
        if (format == ExportFormat.DER) {
            certificates = oneForDer(certificates, sha256);
        } else if (sha256 != null) {
            throw TrustfleetException.validation("'sha256' applies only to format=der");
        }
        if (assignTo != null && format != ExportFormat.INTUNE_GRAPH_BATCH) {
            throw TrustfleetException.validation("'assignTo' applies only to format=intune-graph-batch");
        }
        IntuneProfileType type = IntuneProfileType.of(group.managementMode());
        ConsoleExport.Rendered rendered = switch (format) {
            case INTUNE_GRAPH_BATCH -> new ConsoleExport.Rendered(ConsoleExport.json(
                    IntuneProfiles.batches(intuneRequest(group, current, assignTo), List.of())),
                    "application/json", ConsoleExport.baseName(group.name()) + "-intune-batch.json");
            case ZIP -> new ConsoleExport.Rendered(zip(tenantId, group, current), "application/zip",
                    ConsoleExport.baseName(group.name()) + ".zip");
            default -> ConsoleExport.render(format, group.name(), current.version(), type, certificates);
        };
        return new Export(rendered, current.version(), Sha256.hex(rendered.body()));
    }

    /** Merges the group's set into the admin's AMAPI policy (see {@link Onc#merge}). */
    @Transactional
    public AmapiPolicyMerge mergeAmapiPolicy(UUID tenantId, UUID groupId, JsonNode policy) {
        groups.get(tenantId, groupId);
        CertificateSet current = requirements.certificateSet(tenantId, groupId);
        Onc.Merged merged = Onc.merge(policy, current.x509());
        return new AmapiPolicyMerge(merged.policy(), merged.updateMask(), current.version(), merged.added(),
                merged.removed(), UserStoreCaveat.SENTENCE);
    }

    /**
     * The Graph batch bodies that bring the tenant's Intune in line with this group, given the tenant's current
     * Trustfleet profiles as Graph lists them.
     */
    @Transactional
    public List<ObjectNode> intuneBatch(UUID tenantId, UUID groupId, String assignTo, JsonNode listing) {
        DeviceGroup group = groups.get(tenantId, groupId);
        CertificateSet current = requirements.certificateSet(tenantId, groupId);
        List<IntuneProfiles.Existing> existing = IntuneProfiles.readListing(listing);
        return IntuneProfiles.batches(intuneRequest(group, current, assignTo), existing);
    }

    /** The certificates added and removed between version {@code since} and now. */
    @Transactional
    public RequirementChanges changes(UUID tenantId, UUID groupId, String since) {
        Integer from = Require.wholeNumber(since, "since");
        if (from == null) {
            throw TrustfleetException.validation("'since' is required: the requirements version the console has");
        }
        GroupRequirements current = requirements.current(tenantId, groupId);
        if (from < 0 || from > current.version()) {
            throw TrustfleetException.validation("'since' must be between 0 and the current version, "
                    + current.version());
        }
        Map<String, ChangedCertificate> now = new LinkedHashMap<>();
        for (GroupRequirements.Certificate c : current.certificates()) {
            now.put(c.sha256(), new ChangedCertificate(c.sha256(), c.role().toLowerCase(Locale.ROOT), c.subject()));
        }
        Map<String, ChangedCertificate> then = new LinkedHashMap<>();
        if (from > 0) {
            List<?> rows = entityManager.createNativeQuery("SELECT CAST(certificates AS text) FROM"
                    + " group_requirements_version WHERE group_id = ?1 AND version = ?2")
                    .setParameter(1, groupId).setParameter(2, (long) from).getResultList();
            if (rows.isEmpty()) {
                throw new TrustfleetException(ErrorKind.GONE, "version " + from + " of this group's set is not"
                        + " recorded (it predates the change history); fetch the whole set instead");
            }
            then.putAll(recordedSet((String) rows.get(0)));
        }
        return new RequirementChanges(groupId, from, current.version(), missingFrom(then, now),
                missingFrom(now, then));
    }

    /**
     * The group's recorded versions, newest first, at most {@code limit} of them, each with the certificates added
     * and removed against the version recorded before it. Read only; the table is filled by a database trigger.
     */
    @Transactional
    public List<RecordedVersion> history(UUID tenantId, UUID groupId, int limit) {
        groups.get(tenantId, groupId); // the group must be the tenant's: another tenant's id is 404
        List<?> rows = entityManager.createNativeQuery("SELECT version, CAST(certificates AS text), recorded_at"
                + " FROM group_requirements_version WHERE group_id = ?1 ORDER BY version DESC LIMIT ?2")
                .setParameter(1, groupId).setParameter(2, limit + 1).getResultList();
        List<Long> versions = new ArrayList<>();
        List<Instant> recorded = new ArrayList<>();
        List<Map<String, ChangedCertificate>> sets = new ArrayList<>();
        for (Object row : rows) {
            Object[] columns = (Object[]) row;
            versions.add(((Number) columns[0]).longValue());
            recorded.add(NativeColumns.instant(columns[2]));
            sets.add(recordedSet((String) columns[1]));
        }
        List<RecordedVersion> history = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, versions.size()); i++) {
            Map<String, ChangedCertificate> now = sets.get(i);
            boolean hasPrevious = i + 1 < versions.size();
            // version 1 is the first set there ever was: everything in it was added
            boolean complete = hasPrevious || versions.get(i) == 1;
            Map<String, ChangedCertificate> then = hasPrevious ? sets.get(i + 1) : Map.of();
            history.add(new RecordedVersion(versions.get(i), recorded.get(i), missingFrom(then, now),
                    missingFrom(now, then), complete));
        }
        return history;
    }

    /** A set as the history table recorded it (written by a database trigger), by SHA-256. */
    private Map<String, ChangedCertificate> recordedSet(String recorded) {
        Map<String, ChangedCertificate> set = new LinkedHashMap<>();
        for (ChangedCertificate c : json.read(recorded, new TypeReference<List<ChangedCertificate>>() {})) {
            set.put(c.sha256(), new ChangedCertificate(c.sha256(), c.role().toLowerCase(Locale.ROOT), c.subject()));
        }
        return set;
    }

    /** The certificates of {@code set} that {@code base} lacks, in {@code set}'s order. */
    private static List<ChangedCertificate> missingFrom(Map<String, ChangedCertificate> base,
            Map<String, ChangedCertificate> set) {
        return set.values().stream().filter(c -> !base.containsKey(c.sha256())).toList();
    }

    private IntuneProfiles.Request intuneRequest(DeviceGroup group, CertificateSet current, String assignTo) {
        Set<IntuneProfiles.Key> tenantNeeds = new HashSet<>();
        for (DeviceGroup other : groups.list(group.tenantId())) {
            CertificateSet set = other.id().equals(group.id()) ? current
                    : requirements.certificateSet(group.tenantId(), other.id());
            IntuneProfileType type = IntuneProfileType.of(other.managementMode());
            set.certificates().forEach(m -> tenantNeeds.add(new IntuneProfiles.Key(m.sha256(), type)));
        }
        return new IntuneProfiles.Request(IntuneProfileType.of(group.managementMode()), current.x509(),
                current.version(), IntuneProfiles.assignTo(assignTo), tenantNeeds);
    }

    private byte[] zip(UUID tenantId, DeviceGroup group, CertificateSet current) {
        GroupRequirements why = requirements.current(tenantId, group.id());
        Map<String, GroupRequirements.Certificate> bySha = why.certificates().stream()
                .collect(Collectors.toMap(GroupRequirements.Certificate::sha256, c -> c, (a, b) -> a));
        List<CertificateFiles.Entry> entries = new ArrayList<>();
        for (CertificateSet.Member member : current.certificates()) {
            GroupRequirements.Certificate c = bySha.get(member.sha256());
            List<String> reasons = c == null ? List.of() : c.reasons().stream()
                    .map(r -> r.code() + (r.endpointId() == null ? "" : " for endpoint " + r.endpointId())
                            + " at API levels " + levels(r.apiLevels()))
                    .toList();
            entries.add(new CertificateFiles.Entry(member.certificate(),
                    member.role().name().toLowerCase(Locale.ROOT), reasons));
        }
        List<String> serverFixes = why.advice().stream().filter(a -> a.code() == AdviceCode.SEND_INTERMEDIATE)
                .map(GroupRequirements.Hint::detail).toList();
        return CertificateFiles.zip(group.name(), current.version(), entries, serverFixes);
    }

    private static String levels(List<Integer> levels) {
        return levels.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    private static List<X509Certificate> oneForDer(List<X509Certificate> certificates, String sha256) {
        if (sha256 != null) {
            String wanted = Sha256.parse(sha256).orElse(sha256);
            return List.of(certificates.stream().filter(c -> Sha256.of(c).equals(wanted)).findFirst()
                    .orElseThrow(() -> TrustfleetException.notFound("certificate in this group's set")));
        }
        if (certificates.size() != 1) {
            throw new TrustfleetException(ErrorKind.VALIDATION, "format=der holds one certificate and this group's"
                    + " set has " + certificates.size() + ": pass 'sha256' to pick one, or use pem or pkcs7");
        }
        return certificates;
    }
}
