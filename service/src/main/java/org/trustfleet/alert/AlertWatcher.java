package org.trustfleet.alert;

import com.fasterxml.jackson.core.type.TypeReference;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.security.cert.X509Certificate;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.trustfleet.core.JsonColumns;
import org.trustfleet.core.NativeColumns;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.device.ComplianceState;
import org.trustfleet.device.DeviceService;
import org.trustfleet.policy.DeviceGroup;
import org.trustfleet.policy.DeviceGroupService;
import org.trustfleet.scan.Endpoint;
import org.trustfleet.scan.EndpointService;
import org.trustfleet.tenant.Tenant;
import org.trustfleet.tenant.TenantService;
import org.trustfleet.truststore.CertificateStore;

/**
 * The time-driven alerts: certificates crossing an expiry threshold and groups whose non-compliant share stays
 * high. Runs as a Quartz job (clustered: one replica per firing); should two evaluations ever overlap, the unique
 * dedupe key of each event keeps it single.
 */
@ApplicationScoped
public class AlertWatcher {
    private static final Logger LOG = Logger.getLogger(AlertWatcher.class);

    private final EntityManager em;
    private final JsonColumns json;
    private final Clock clock;
    private final AlertOutbox outbox;
    private final TenantService tenants;
    private final EndpointService endpoints;
    private final DeviceGroupService groups;
    private final DeviceService devices;
    private final CertificateStore certificates;
    private final List<Integer> thresholds;
    private final double share;
    private final Duration period;
    private volatile boolean stopping;

    public AlertWatcher(EntityManager em, JsonColumns json, Clock clock, AlertOutbox outbox, TenantService tenants,
            EndpointService endpoints, DeviceGroupService groups, DeviceService devices,
            CertificateStore certificates, TrustfleetConfig config) {
        this.em = em;
        this.json = json;
        this.clock = clock;
        this.outbox = outbox;
        this.tenants = tenants;
        this.endpoints = endpoints;
        this.groups = groups;
        this.devices = devices;
        this.certificates = certificates;
        this.thresholds = config.alerts().expiryThresholdDays().stream().filter(d -> d > 0).sorted().toList();
        this.share = config.alerts().noncompliantShare();
        this.period = config.alerts().noncompliantFor();
    }

    @Scheduled(identity = "alert-checks", every = "${trustfleet.alerts.check-interval:5m}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            checkNow();
        } catch (RuntimeException e) {
            LOG.warnf("alert checks failed, retried at the next interval: %s", e.toString());
        }
    }

    /**
     * A pass through thousands of tenants can outlast the application: it ends at the next tenant instead of going
     * on into a closed persistence unit. Each tenant's checks are a transaction of their own and the events are
     * deduplicated, so the next pass (on any replica) finds the rest.
     */
    void stop(@Observes @Priority(1) ShutdownEvent event) {
        stopping = true;
    }

    /** Runs both checks now, tenant after tenant; returns how many tenants it checked. */
    public int checkNow() {
        long started = System.nanoTime();
        List<Tenant> all = tenants.list();
        int checked = 0;
        for (Tenant tenant : all) {
            if (stopping) {
                LOG.infof("alert checks stopped for shutdown after %d of %d tenants", checked, all.size());
                return checked;
            }
            checkExpiry(tenant.id());
            checkCompliance(tenant.id());
            checked++;
        }
        LOG.debugf("alert checks of %d tenants took %d ms", all.size(), (System.nanoTime() - started) / 1_000_000);
        return checked;
    }

    /**
     * The smallest threshold a certificate has crossed, if any: a certificate first seen 5 days before expiry raises
     * the 7-day alert only, not the 30- and 14-day ones as well.
     */
    static Optional<Integer> crossed(Instant notAfter, Instant now, List<Integer> sortedThresholds) {
        for (int days : sortedThresholds) {
            if (!now.isBefore(notAfter.minus(Duration.ofDays(days)))) {
                return Optional.of(days);
            }
        }
        return Optional.empty();
    }

    @Transactional
    void checkExpiry(UUID tenantId) {
        Instant now = clock.instant();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT endpoint_id, CAST(presented AS text) FROM alert_endpoint_state WHERE tenant_id = ?1""")
                .setParameter(1, tenantId).getResultList();
        Map<UUID, Endpoint> byId = new HashMap<>();
        endpoints.list(tenantId).forEach(e -> byId.put(e.id(), e));
        for (Object[] row : rows) {
            Endpoint endpoint = byId.get((UUID) row[0]);
            if (endpoint == null) {
                continue;
            }
            List<AlertRules.Presented> presented = json.read((String) row[1],
                    new TypeReference<List<AlertRules.Presented>>() {});
            for (AlertRules.Presented cert : presented) {
                crossed(cert.notAfter(), now, thresholds).ifPresent(days -> {
                    Map<String, Object> data = new LinkedHashMap<>();
                    data.put("endpointId", endpoint.id());
                    data.put("endpointName", endpoint.name());
                    data.put("sha256", cert.sha256());
                    data.put("subject", cert.subject());
                    data.put("notAfter", cert.notAfter().toString());
                    data.put("thresholdDays", days);
                    outbox.raise(new AlertOutbox.Cause(tenantId, AlertEventType.CERTIFICATE_EXPIRING,
                            "expiring/endpoint/" + endpoint.id() + "/" + cert.sha256() + "/" + days,
                            "A certificate presented by endpoint " + AlertRules.describe(endpoint) + " ("
                                    + cert.subject() + ") expires " + when(cert.notAfter(), now) + ".",
                            "/console/tenants/" + tenantId + "/endpoints/" + endpoint.id(),
                            "/api/v1/tenants/" + tenantId + "/endpoints/" + endpoint.id() + "/scans/latest", data));
                });
            }
        }
        List<DeviceGroup> tenantGroups = groups.list(tenantId);
        if (tenantGroups.isEmpty()) {
            return;
        }
        // each group's latest delivered set, for all of the tenant's groups in one query
        Map<UUID, String> latestSets = new HashMap<>();
        @SuppressWarnings("unchecked")
        List<Object[]> setRows = em.createNativeQuery("""
                SELECT DISTINCT ON (group_id) group_id, CAST(certificates AS text) FROM group_requirements_version
                WHERE group_id = ANY(?1) ORDER BY group_id, version DESC""")
                .setParameter(1, tenantGroups.stream().map(DeviceGroup::id).toArray(UUID[]::new)).getResultList();
        setRows.forEach(row -> latestSets.put((UUID) row[0], (String) row[1]));
        for (DeviceGroup group : tenantGroups) {
            String latest = latestSets.get(group.id());
            if (latest == null) {
                continue;
            }
            List<Map<String, Object>> set = json.read(latest, new TypeReference<List<Map<String, Object>>>() {});
            List<String> shas = set.stream().map(c -> String.valueOf(c.get("sha256"))).toList();
            for (Map.Entry<String, X509Certificate> found : certificates.findAllBySha256(shas).entrySet()) {
                X509Certificate cert = found.getValue();
                Instant notAfter = cert.getNotAfter().toInstant();
                String sha = found.getKey();
                String subject = cert.getSubjectX500Principal().getName();
                crossed(notAfter, now, thresholds).ifPresent(days -> {
                    Map<String, Object> data = new LinkedHashMap<>();
                    data.put("groupId", group.id());
                    data.put("groupName", group.name());
                    data.put("sha256", sha);
                    data.put("subject", subject);
                    data.put("notAfter", notAfter.toString());
                    data.put("thresholdDays", days);
                    outbox.raise(new AlertOutbox.Cause(tenantId, AlertEventType.CERTIFICATE_EXPIRING,
                            "expiring/group/" + group.id() + "/" + sha + "/" + days,
                            "A certificate device group '" + group.name() + "' delivers (" + subject + ") expires "
                                    + when(notAfter, now) + ".",
                            "/console/tenants/" + tenantId + "/device-groups/" + group.id(),
                            "/api/v1/tenants/" + tenantId + "/device-groups/" + group.id() + "/requirements", data));
                });
            }
        }
    }

    private static String when(Instant notAfter, Instant now) {
        if (!notAfter.isAfter(now)) {
            return "has expired (" + notAfter + ")";
        }
        long days = Duration.between(now, notAfter).toDays();
        return "in " + (days < 1 ? "less than a day" : days + (days == 1 ? " day" : " days")) + " (" + notAfter + ")";
    }

    /** Device counts of one group by compliance state (revoked devices left out). */
    public record GroupCounts(UUID groupId, Map<ComplianceState, Integer> byState) {
        int total() {
            return byState.values().stream().mapToInt(Integer::intValue).sum();
        }

        int notCompliant() {
            return total() - byState.getOrDefault(ComplianceState.COMPLIANT, 0);
        }
    }

    /** Counts the tenant's devices per group and state with the device service's one compliance rule. */
    Map<UUID, GroupCounts> counts(UUID tenantId) {
        Map<UUID, GroupCounts> counts = new HashMap<>();
        devices.complianceByGroup(tenantId).forEach((groupId, states) -> {
            Map<ComplianceState, Integer> byState = new EnumMap<>(ComplianceState.class);
            states.forEach((state, n) -> {
                if (n > 0) {
                    byState.put(state, Math.toIntExact(n));
                }
            });
            counts.put(groupId, new GroupCounts(groupId, byState));
        });
        return counts;
    }

    /** A group's alert state: above the share since when (null: not above), reported in this episode or not. */
    private record GroupAlertState(Instant since, boolean reported, int episode) {
        static final GroupAlertState INITIAL = new GroupAlertState(null, false, 0);

        /** From the columns {@code above_since, reported, episode} of a native query, starting at {@code at}. */
        static GroupAlertState of(Object[] columns, int at) {
            return new GroupAlertState(NativeColumns.instant(columns[at]), (Boolean) columns[at + 1],
                    ((Number) columns[at + 2]).intValue());
        }

        /**
         * The state after a check that finds the group above the share or not: above since the first such check,
         * reported once it has been above for {@code period}; back under the share, a reported episode ends.
         */
        GroupAlertState next(boolean above, Instant now, Duration period) {
            if (above) {
                if (since == null) {
                    return new GroupAlertState(now, reported, episode);
                }
                return reported || now.isBefore(since.plus(period)) ? this
                        : new GroupAlertState(since, true, episode);
            }
            return new GroupAlertState(null, false, reported ? episode + 1 : episode);
        }
    }

    /**
     * The tenant's groups' alert states are read in one query; a group whose state stays as it is (most of them, most
     * of the time) is not written, and one that changes is locked and decided again from the locked row, so two
     * overlapping evaluations cannot both report an episode.
     */
    @Transactional
    void checkCompliance(UUID tenantId) {
        Instant now = clock.instant();
        Map<UUID, GroupCounts> counts = counts(tenantId);
        List<DeviceGroup> tenantGroups = groups.list(tenantId);
        if (tenantGroups.isEmpty()) {
            return;
        }
        Map<UUID, GroupAlertState> states = new HashMap<>();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT group_id, above_since, reported, episode FROM alert_group_state WHERE group_id = ANY(?1)""")
                .setParameter(1, tenantGroups.stream().map(DeviceGroup::id).toArray(UUID[]::new)).getResultList();
        for (Object[] row : rows) {
            states.put((UUID) row[0], GroupAlertState.of(row, 1));
        }
        for (DeviceGroup group : tenantGroups) {
            GroupCounts c = counts.getOrDefault(group.id(), new GroupCounts(group.id(), Map.of()));
            boolean above = c.total() > 0 && (double) c.notCompliant() / c.total() > share;
            GroupAlertState seen = states.getOrDefault(group.id(), GroupAlertState.INITIAL);
            if (seen.next(above, now, period).equals(seen)) {
                continue;
            }
            em.createNativeQuery("""
                    INSERT INTO alert_group_state (group_id, tenant_id) VALUES (?1, ?2)
                    ON CONFLICT (group_id) DO NOTHING""").setParameter(1, group.id()).setParameter(2, tenantId)
                    .executeUpdate();
            GroupAlertState locked = GroupAlertState.of((Object[]) em.createNativeQuery("""
                    SELECT above_since, reported, episode FROM alert_group_state WHERE group_id = ?1 FOR UPDATE""")
                    .setParameter(1, group.id()).getSingleResult(), 0);
            GroupAlertState after = locked.next(above, now, period);
            raiseStep(locked, after, c, group, tenantId);
            em.createNativeQuery("""
                    UPDATE alert_group_state SET above_since = ?1, reported = ?2, episode = ?3 WHERE group_id = ?4""")
                    .setParameter(1, after.since() == null ? null : Timestamp.from(after.since()))
                    .setParameter(2, after.reported()).setParameter(3, after.episode()).setParameter(4, group.id())
                    .executeUpdate();
        }
    }

    /** The alert a step implies: an episode reported (non-compliant long enough), or a reported one ended. */
    private void raiseStep(GroupAlertState before, GroupAlertState after, GroupCounts c, DeviceGroup group,
            UUID tenantId) {
        String consolePath = "/console/tenants/" + tenantId + "/device-groups/" + group.id();
        String apiPath = "/api/v1/tenants/" + tenantId + "/devices";
        if (after.reported() && !before.reported()) {
            Map<String, Object> data = data(group, c);
            data.put("aboveSince", before.since().toString());
            outbox.raise(new AlertOutbox.Cause(tenantId, AlertEventType.GROUP_NONCOMPLIANT,
                    "noncompliant/" + group.id() + "/" + before.episode(), c.notCompliant() + " of " + c.total()
                    + " devices of group '" + group.name() + "' are not compliant (since " + before.since() + ").",
                    consolePath, apiPath, data));
        } else if (after.episode() > before.episode()) {
            outbox.raise(new AlertOutbox.Cause(tenantId, AlertEventType.GROUP_COMPLIANT_AGAIN,
                    "compliant/" + group.id() + "/" + before.episode(), "Device group '" + group.name()
                    + "' is back under the non-compliance threshold (" + c.notCompliant() + " of " + c.total()
                    + " devices not compliant).", consolePath, apiPath, data(group, c)));
        }
    }

    private Map<String, Object> data(DeviceGroup group, GroupCounts c) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("groupId", group.id());
        data.put("groupName", group.name());
        data.put("devices", c.total());
        data.put("notCompliant", c.notCompliant());
        data.put("threshold", share);
        return data;
    }
}
