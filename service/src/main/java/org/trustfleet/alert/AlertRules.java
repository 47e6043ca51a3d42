package org.trustfleet.alert;

import com.fasterxml.jackson.core.type.TypeReference;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.security.cert.X509Certificate;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.trustfleet.core.JsonColumns;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.pki.CertificateSummary;
import org.trustfleet.policy.RequirementsChanged;
import org.trustfleet.scan.ApiLevelVerdict;
import org.trustfleet.scan.ChainChange;
import org.trustfleet.scan.Endpoint;
import org.trustfleet.scan.EndpointService;
import org.trustfleet.scan.ProbeStatus;
import org.trustfleet.scan.ScanRecorded;
import org.trustfleet.scan.ScanResult;
import org.trustfleet.truststore.CertificateStore;

/**
 * Turns recorded scans and new requirement versions into alert events, inside the transaction that stores them
 * (plain synchronous observers): the event is committed with its cause or not at all. What a rule must remember
 * between scans (consecutive failures, the levels that trusted the endpoint) is kept in
 * {@code alert_endpoint_state}, locked per endpoint, so two replicas recording scans of one endpoint take turns.
 */
@ApplicationScoped
public class AlertRules {
    private final EntityManager em;
    private final JsonColumns json;
    private final AlertOutbox outbox;
    private final EndpointService endpoints;
    private final CertificateStore certificates;
    private final int unreachableAfter;

    public AlertRules(EntityManager em, JsonColumns json, AlertOutbox outbox, EndpointService endpoints,
            CertificateStore certificates, TrustfleetConfig config) {
        this.em = em;
        this.json = json;
        this.outbox = outbox;
        this.endpoints = endpoints;
        this.certificates = certificates;
        this.unreachableAfter = Math.max(1, config.alerts().unreachableAfter());
    }

    /** One presented certificate as the state row keeps it (for expiry checks and metrics). */
    record Presented(String sha256, String subject, Instant notAfter) {}

    void onScan(@Observes ScanRecorded recorded) {
        ScanResult result = recorded.result();
        UUID endpointId = result.endpointId();
        UUID tenantId = recorded.tenantId();
        Optional<Endpoint> found = endpoints.find(endpointId);
        if (found.isEmpty()) {
            return;
        }
        Endpoint endpoint = found.get();
        em.createNativeQuery("""
                INSERT INTO alert_endpoint_state (endpoint_id, tenant_id, last_scan_at, last_status)
                VALUES (?1, ?2, ?3, ?4) ON CONFLICT (endpoint_id) DO NOTHING""")
                .setParameter(1, endpointId).setParameter(2, tenantId)
                .setParameter(3, Timestamp.from(result.startedAt())).setParameter(4, result.status().name())
                .executeUpdate();
        Object[] state = (Object[]) em.createNativeQuery("""
                SELECT consecutive_failures, unreachable, CAST(trusted_levels AS text) FROM alert_endpoint_state
                WHERE endpoint_id = ?1 FOR UPDATE""").setParameter(1, endpointId).getSingleResult();
        int failures = ((Number) state[0]).intValue();
        boolean unreachable = (Boolean) state[1];
        Map<Integer, Boolean> before = state[2] == null ? null
                : json.read((String) state[2], new TypeReference<TreeMap<Integer, Boolean>>() {});
        String name = describe(endpoint);
        String consolePath = "/console/tenants/" + tenantId + "/endpoints/" + endpointId;
        String apiPath = "/api/v1/tenants/" + tenantId + "/endpoints/" + endpointId + "/scans/" + result.id();

        if (result.status() != ProbeStatus.OK) {
            failures++;
            if (failures >= unreachableAfter && !unreachable) {
                unreachable = true;
                outbox.raise(new AlertOutbox.Cause(tenantId, AlertEventType.ENDPOINT_UNREACHABLE,
                        "unreachable/" + result.id(), "Endpoint " + name + " could not be scanned " + failures
                        + " times in a row (last: " + result.status().name() + ").", consolePath, apiPath,
                        data(endpoint, result, Map.of("consecutiveFailures", failures,
                                "status", result.status().name()))));
            }
            em.createNativeQuery("""
                    UPDATE alert_endpoint_state SET consecutive_failures = ?1, unreachable = ?2, last_scan_at = ?3,
                        last_status = ?4 WHERE endpoint_id = ?5""")
                    .setParameter(1, failures).setParameter(2, unreachable)
                    .setParameter(3, Timestamp.from(result.startedAt())).setParameter(4, result.status().name())
                    .setParameter(5, endpointId).executeUpdate();
            return;
        }
        if (unreachable) {
            outbox.raise(new AlertOutbox.Cause(tenantId, AlertEventType.ENDPOINT_RECOVERED, "recovered/" + result.id(),
                    "Endpoint " + name + " is reachable again.", consolePath, apiPath,
                    data(endpoint, result, Map.of())));
        }
        Map<Integer, Boolean> now = new TreeMap<>();
        for (ApiLevelVerdict verdict : result.perApiLevel()) {
            now.put(verdict.apiLevel(), verdict.trusted());
        }
        List<Integer> untrusted = new ArrayList<>();
        List<Integer> trustedAgain = new ArrayList<>();
        now.forEach((level, trusted) -> {
            Boolean was = before == null ? null : before.get(level);
            if (!trusted && (was == null || was)) {
                untrusted.add(level);
            } else if (trusted && Boolean.FALSE.equals(was)) {
                trustedAgain.add(level);
            }
        });
        if (!untrusted.isEmpty()) {
            outbox.raise(new AlertOutbox.Cause(tenantId, AlertEventType.ENDPOINT_UNTRUSTED, "untrusted/" + result.id(),
                    "Endpoint " + name + " is not trusted by Android API level" + plural(untrusted) + " "
                            + levels(untrusted) + ".", consolePath, apiPath,
                    data(endpoint, result, Map.of("apiLevels", untrusted))));
        }
        if (!trustedAgain.isEmpty()) {
            outbox.raise(new AlertOutbox.Cause(tenantId, AlertEventType.ENDPOINT_TRUSTED_AGAIN,
                    "trusted/" + result.id(), "Endpoint " + name + " is trusted again by Android API level"
                    + plural(trustedAgain) + " " + levels(trustedAgain) + ".", consolePath, apiPath,
                    data(endpoint, result, Map.of("apiLevels", trustedAgain))));
        }
        ChainChange change = recorded.change();
        if (change != null) {
            String kind = change.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ');
            outbox.raise(new AlertOutbox.Cause(tenantId, AlertEventType.CHAIN_CHANGED, "chain/" + result.id(),
                    "The chain presented by endpoint " + name + " changed (" + kind + ").", consolePath, apiPath,
                    data(endpoint, result, Map.of("change", change.kind().name(),
                            "previousChain", change.previousChain(), "newChain", change.newChain(),
                            "previousScanId", change.previousScanId()))));
        }
        List<Presented> presented = result.presented().stream()
                .map(c -> new Presented(c.sha256(), c.subject(), c.notAfter())).toList();
        Instant presentedNotAfter = result.presented().stream().map(CertificateSummary::notAfter)
                .min(Instant::compareTo).orElse(null);
        Instant completedNotAfter = certificates.findAll(result.completedPath()).stream()
                .map(X509Certificate::getNotAfter).map(java.util.Date::toInstant).min(Instant::compareTo)
                .orElse(null);
        em.createNativeQuery("""
                UPDATE alert_endpoint_state SET consecutive_failures = 0, unreachable = FALSE,
                    trusted_levels = CAST(?1 AS jsonb), presented = CAST(?2 AS jsonb), presented_not_after = ?3,
                    completed_not_after = ?4, last_scan_at = ?5, last_status = ?6 WHERE endpoint_id = ?7""")
                .setParameter(1, json.write(now)).setParameter(2, json.write(presented))
                .setParameter(3, presentedNotAfter == null ? null : Timestamp.from(presentedNotAfter))
                .setParameter(4, completedNotAfter == null ? null : Timestamp.from(completedNotAfter))
                .setParameter(5, Timestamp.from(result.startedAt())).setParameter(6, result.status().name())
                .setParameter(7, endpointId).executeUpdate();
    }

    /**
     * One event per new version, saying which certificates it added and removed. The versions and the ones before
     * them are read from the history in one statement, and the events raised together: a store change's sweep gives
     * thousands of groups a new version in one transaction.
     */
    void onRequirements(@Observes RequirementsChanged changed) {
        // the version history is written by a trigger when the new version reaches the database
        em.flush();
        List<RequirementsChanged.NewVersion> versions = changed.versions();
        UUID[] groupIds = new UUID[versions.size() * 2];
        Long[] wanted = new Long[groupIds.length];
        for (int i = 0; i < versions.size(); i++) {
            RequirementsChanged.NewVersion v = versions.get(i);
            groupIds[2 * i] = v.groupId();
            wanted[2 * i] = v.version();
            groupIds[2 * i + 1] = v.groupId();
            wanted[2 * i + 1] = v.version() - 1;
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT h.group_id, h.version, CAST(h.certificates AS text) FROM group_requirements_version h
                JOIN unnest(CAST(?1 AS uuid[]), CAST(?2 AS bigint[])) AS w(group_id, version)
                  ON h.group_id = w.group_id AND h.version = w.version""")
                .setParameter(1, groupIds).setParameter(2, wanted).getResultList();
        Map<String, List<Map<String, Object>>> certificatesByVersion = new HashMap<>();
        for (Object[] r : rows) {
            certificatesByVersion.put(r[0] + "/" + ((Number) r[1]).longValue(), json.read((String) r[2],
                    new TypeReference<List<Map<String, Object>>>() {}));
        }
        List<AlertOutbox.Cause> causes = new ArrayList<>(versions.size());
        for (RequirementsChanged.NewVersion v : versions) {
            Map<String, Map<String, Object>> current = bySha256(
                    certificatesByVersion.get(v.groupId() + "/" + v.version()));
            Map<String, Map<String, Object>> previous = bySha256(
                    certificatesByVersion.get(v.groupId() + "/" + (v.version() - 1)));
            List<Map<String, Object>> added = current.entrySet().stream()
                    .filter(e -> !previous.containsKey(e.getKey())).map(Map.Entry::getValue).toList();
            List<Map<String, Object>> removed = previous.entrySet().stream()
                    .filter(e -> !current.containsKey(e.getKey())).map(Map.Entry::getValue).toList();
            String summary = "The requirements of device group '" + v.groupName() + "' changed to version "
                    + v.version() + ": " + added.size() + " certificate" + (added.size() == 1 ? "" : "s")
                    + " added, " + removed.size() + " removed.";
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("groupId", v.groupId());
            data.put("groupName", v.groupName());
            data.put("version", v.version());
            data.put("added", added);
            data.put("removed", removed);
            causes.add(new AlertOutbox.Cause(v.tenantId(), AlertEventType.REQUIREMENTS_CHANGED,
                    "requirements/" + v.groupId() + "/" + v.version(), summary,
                    "/console/tenants/" + v.tenantId() + "/device-groups/" + v.groupId(),
                    "/api/v1/tenants/" + v.tenantId() + "/device-groups/" + v.groupId() + "/requirements", data));
        }
        outbox.raiseAll(causes);
    }

    /** A version's certificates by fingerprint, in the version's order; none for a version the history lacks. */
    private static Map<String, Map<String, Object>> bySha256(List<Map<String, Object>> certificates) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        if (certificates != null) {
            certificates.forEach(c -> out.put(String.valueOf(c.get("sha256")), c));
        }
        return out;
    }

    static String describe(Endpoint endpoint) {
        return "'" + endpoint.name() + "' (" + endpoint.host() + ":" + endpoint.port() + ")";
    }

    private static Map<String, Object> data(Endpoint endpoint, ScanResult result, Map<String, Object> extra) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("endpointId", endpoint.id());
        data.put("endpointName", endpoint.name());
        data.put("host", endpoint.host());
        data.put("port", endpoint.port());
        data.put("scanId", result.id());
        data.putAll(extra);
        return data;
    }

    private static String plural(List<Integer> levels) {
        return levels.size() == 1 ? "" : "s";
    }

    private static String levels(List<Integer> levels) {
        return levels.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}
