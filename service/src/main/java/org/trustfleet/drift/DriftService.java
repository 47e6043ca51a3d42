package org.trustfleet.drift;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.device.ComplianceSummary;
import org.trustfleet.device.DeviceService;
import org.trustfleet.device.DeviceVerificationService;
import org.trustfleet.device.VerificationCounts;
import org.trustfleet.policy.DeviceGroup;
import org.trustfleet.policy.DeviceGroupService;
import org.trustfleet.policy.GroupRequirements;
import org.trustfleet.policy.RequirementsService;
import org.trustfleet.pki.CertificateSummary;
import org.trustfleet.scan.Endpoint;
import org.trustfleet.scan.EndpointService;
import org.trustfleet.scan.ProbeStatus;
import org.trustfleet.scan.ScanDigest;
import org.trustfleet.scan.ScanService;

/** Builds a tenant's drift report from the latest scans, chain events, requirements and device reports. */
@ApplicationScoped
public class DriftService {
    static final int MAX_CHANGES = 100;
    static final int MAX_NON_COMPLIANT = 100;

    private final EndpointService endpoints;
    private final ScanService scans;
    private final DeviceGroupService groups;
    private final RequirementsService requirements;
    private final DeviceService devices;
    private final DeviceVerificationService verifications;
    private final TrustfleetConfig config;
    private final Clock clock;

    public DriftService(EndpointService endpoints, ScanService scans, DeviceGroupService groups,
            RequirementsService requirements, DeviceService devices, DeviceVerificationService verifications,
            TrustfleetConfig config, Clock clock) {
        this.verifications = verifications;
        this.endpoints = endpoints;
        this.scans = scans;
        this.groups = groups;
        this.requirements = requirements;
        this.devices = devices;
        this.config = config;
        this.clock = clock;
    }

    @Transactional
    public DriftReport report(UUID tenantId) {
        Instant now = Instant.now(clock);
        Instant since = now.minus(config.drift().window());
        Instant expiryLimit = now.plus(config.drift().expiryWarning());
        Map<UUID, Endpoint> byId = endpoints.list(tenantId).stream()
                .collect(Collectors.toMap(Endpoint::id, Function.identity(), (a, b) -> a, TreeMap::new));
        List<ScanDigest> latest = scans.latestDigests(List.copyOf(byId.keySet()));

        List<DriftReport.ChainChangeEntry> changes = scans.chainChanges(tenantId, since, MAX_CHANGES).stream()
                .map(c -> new DriftReport.ChainChangeEntry(c.endpointId(), name(byId, c.endpointId()), c.occurredAt(),
                        c.kind(), c.previousChain(), c.newChain()))
                .toList();

        List<DriftReport.EndpointProblem> failing = new ArrayList<>();
        Map<String, Expiring> expiring = new TreeMap<>();
        for (ScanDigest scan : latest.stream().sorted(Comparator.comparing(s -> name(byId, s.endpointId())))
                .toList()) {
            if (scan.failed()) {
                failing.add(new DriftReport.EndpointProblem(scan.endpointId(), name(byId, scan.endpointId()),
                        scan.startedAt(), scan.status(), scan.error(), scan.untrustedApiLevels(),
                        scan.findingCodes().stream().map(Enum::name).toList(), scan.serverFix()));
            }
            for (CertificateSummary certificate : scan.presented()) {
                if (certificate.notAfter().isBefore(expiryLimit)) {
                    expiring.computeIfAbsent(certificate.sha256(),
                            k -> new Expiring(certificate.subject(), certificate.notAfter()))
                            .endpoints.add(scan.endpointId());
                }
            }
        }

        List<DriftReport.UnresolvedEntry> unresolved = new ArrayList<>();
        Map<UUID, GroupRequirements> requirementsByGroup = new java.util.HashMap<>();
        Map<UUID, String> groupNames = new java.util.HashMap<>();
        for (DeviceGroup group : groups.list(tenantId)) {
            GroupRequirements current = requirements.deliveredWithoutServerFixes(tenantId, group.id());
            requirementsByGroup.put(group.id(), current);
            groupNames.put(group.id(), group.name());
            for (GroupRequirements.Problem problem : current.unresolved()) {
                unresolved.add(new DriftReport.UnresolvedEntry(group.id(), group.name(), problem.endpointId(),
                        problem.apiLevels(), problem.code(), problem.detail()));
            }
            for (GroupRequirements.Certificate certificate : current.certificates()) {
                if (certificate.notAfter().isBefore(expiryLimit)) {
                    expiring.computeIfAbsent(certificate.sha256(),
                            k -> new Expiring(certificate.subject(), certificate.notAfter()))
                            .groups.add(group.id());
                }
            }
        }
        List<DriftReport.ExpiringCertificate> expiringList = expiring.entrySet().stream()
                .map(e -> new DriftReport.ExpiringCertificate(e.getKey(), e.getValue().subject, e.getValue().notAfter,
                        List.copyOf(e.getValue().endpoints), List.copyOf(e.getValue().groups)))
                .sorted(Comparator.comparing(DriftReport.ExpiringCertificate::notAfter)
                        .thenComparing(DriftReport.ExpiringCertificate::sha256))
                .toList();
        ComplianceSummary summary = devices.complianceSummary(tenantId, MAX_NON_COMPLIANT);
        return new DriftReport(tenantId, now, since, changes, failing, expiringList, unresolved,
                deviceSummary(summary), deviceVerifications(tenantId, summary.activeDevicesByGroup(), byId, latest,
                        requirementsByGroup, groupNames));
    }

    /** Every device of the tenant counted by compliance state, and the first non-compliant ones. */
    private static DriftReport.DeviceSummary deviceSummary(ComplianceSummary summary) {
        Map<String, Long> byState = new TreeMap<>();
        summary.counts().forEach((state, count) -> byState.put(state.name(), count));
        List<DriftReport.NonCompliantDevice> nonCompliant = summary.firstNonCompliant().stream()
                .map(device -> new DriftReport.NonCompliantDevice(device.id(), device.hardwareId(),
                        device.deviceGroupId(), device.compliance().state().name(), device.lastSeenAt()))
                .toList();
        return new DriftReport.DeviceSummary(byState, nonCompliant);
    }

    /**
     * Per group and endpoint it covers, what the group's devices found themselves, flagged where they disagree with
     * the scanner: rejected although the scanner judges the endpoint fixed for the group, or unreachable although
     * the scanner reached it.
     */
    private List<DriftReport.DeviceVerificationEntry> deviceVerifications(UUID tenantId,
            Map<UUID, Long> activeDevicesByGroup, Map<UUID, Endpoint> byId, List<ScanDigest> latest,
            Map<UUID, GroupRequirements> requirementsByGroup, Map<UUID, String> groupNames) {
        Map<UUID, ScanDigest> scanByEndpoint = latest.stream()
                .collect(Collectors.toMap(ScanDigest::endpointId, Function.identity(), (a, b) -> a));
        List<DriftReport.DeviceVerificationEntry> out = new ArrayList<>();
        for (VerificationCounts counts : verifications.counts(tenantId, activeDevicesByGroup)) {
            ScanDigest scan = scanByEndpoint.get(counts.endpointId());
            boolean scannerReached = scan != null && scan.status() == ProbeStatus.OK;
            GroupRequirements group = requirementsByGroup.get(counts.groupId());
            boolean scannerJudgesFixed = scannerReached && group != null && group.unresolved().stream()
                    .noneMatch(p -> counts.endpointId().equals(p.endpointId()));
            List<VerificationFlag> flags = new ArrayList<>();
            if (counts.untrusted() > 0 && scannerJudgesFixed) {
                flags.add(VerificationFlag.UNTRUSTED_ON_DEVICES);
            }
            if (counts.unreachable() > 0 && scannerReached) {
                flags.add(VerificationFlag.NETWORK_PATH_PROBLEM);
            }
            out.add(new DriftReport.DeviceVerificationEntry(counts.groupId(), groupNames.get(counts.groupId()),
                    counts.endpointId(), name(byId, counts.endpointId()), counts.devices(), counts.trusted(),
                    counts.untrusted(), counts.unreachable(), counts.notReported(),
                    "verified on " + counts.trusted() + " of " + counts.devices() + " devices", flags));
        }
        return out;
    }

    private static String name(Map<UUID, Endpoint> byId, UUID endpointId) {
        Endpoint endpoint = byId.get(endpointId);
        return endpoint == null ? null : endpoint.name();
    }

    private static final class Expiring {
        final String subject;
        final Instant notAfter;
        final TreeSet<UUID> endpoints = new TreeSet<>();
        final TreeSet<UUID> groups = new TreeSet<>();

        Expiring(String subject, Instant notAfter) {
            this.subject = subject;
            this.notAfter = notAfter;
        }
    }

}
