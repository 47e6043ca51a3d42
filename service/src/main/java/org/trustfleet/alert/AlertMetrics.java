package org.trustfleet.alert;

import com.fasterxml.jackson.core.type.TypeReference;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import org.trustfleet.core.JsonColumns;
import org.trustfleet.core.NativeColumns;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.device.ComplianceState;
import org.trustfleet.policy.DeviceGroup;
import org.trustfleet.policy.DeviceGroupService;
import org.trustfleet.scan.Endpoint;
import org.trustfleet.scan.EndpointService;
import org.trustfleet.tenant.Tenant;
import org.trustfleet.tenant.TenantService;

/**
 * Per-endpoint and per-group gauges on {@code /q/metrics}, from a snapshot each replica refreshes from the database
 * every {@code trustfleet.alerts.metrics-refresh} (a scrape reads memory only). Label sets are bounded: ids, an API
 * level, a scan status or a compliance state; names live only in the {@code *_info} series, so renaming an
 * endpoint does not start new series for every metric.
 */
@ApplicationScoped
public class AlertMetrics {
    private static final Logger LOG = Logger.getLogger(AlertMetrics.class);

    private final EntityManager em;
    private final JsonColumns json;
    private final TenantService tenants;
    private final EndpointService endpoints;
    private final DeviceGroupService groups;
    private final AlertWatcher watcher;
    private final DeliveryStore deliveries;
    private final MultiGauge endpointInfo;
    private final MultiGauge presentedNotAfter;
    private final MultiGauge completedNotAfter;
    private final MultiGauge trusted;
    private final MultiGauge lastScan;
    private final MultiGauge lastScanStatus;
    private final MultiGauge groupInfo;
    private final MultiGauge groupDevices;
    private final MultiGauge deliveryCount;

    /** A group's series: its info and its devices in each compliance state. */
    private static final int SERIES_PER_GROUP = 1 + ComplianceState.values().length;

    private final int maxSeries;
    /** Per-object series left out of the last snapshot (0 when all were published). */
    private final AtomicLong omitted = new AtomicLong();

    public AlertMetrics(EntityManager em, JsonColumns json, TenantService tenants, EndpointService endpoints,
            DeviceGroupService groups, AlertWatcher watcher, DeliveryStore deliveries, MeterRegistry registry,
            TrustfleetConfig config) {
        this.maxSeries = config.alerts().metricsMaxSeries();
        registry.gauge("trustfleet.metrics.series.omitted", omitted);
        this.em = em;
        this.json = json;
        this.tenants = tenants;
        this.endpoints = endpoints;
        this.groups = groups;
        this.watcher = watcher;
        this.deliveries = deliveries;
        endpointInfo = MultiGauge.builder("trustfleet.endpoint.info")
                .description("1 per endpoint; its name, host and port as labels").register(registry);
        presentedNotAfter = MultiGauge.builder("trustfleet.endpoint.presented.not.after").baseUnit("seconds")
                .description("Earliest notAfter of the chain the endpoint presented at its last successful scan")
                .register(registry);
        completedNotAfter = MultiGauge.builder("trustfleet.endpoint.completed.not.after").baseUnit("seconds")
                .description("Earliest notAfter of the endpoint's completed chain at its last successful scan")
                .register(registry);
        trusted = MultiGauge.builder("trustfleet.endpoint.trusted")
                .description("1 when the Android API level trusted the endpoint at its last successful scan, else 0")
                .register(registry);
        lastScan = MultiGauge.builder("trustfleet.endpoint.last.scan").baseUnit("seconds")
                .description("When the endpoint was last scanned (seconds since the epoch)").register(registry);
        lastScanStatus = MultiGauge.builder("trustfleet.endpoint.last.scan.status")
                .description("1 for the status of the endpoint's last scan").register(registry);
        groupInfo = MultiGauge.builder("trustfleet.group.info")
                .description("1 per device group; its name as a label").register(registry);
        groupDevices = MultiGauge.builder("trustfleet.group.devices")
                .description("Enrolled devices of a group per compliance state").register(registry);
        deliveryCount = MultiGauge.builder("trustfleet.alert.deliveries")
                .description("Alert deliveries per tenant that are pending or failed").register(registry);
    }

    /** One row of a snapshot: its labels and its value. */
    private record Row(Tags tags, double value) {}

    /**
     * Each gauge's values of the last snapshot. Its registered rows read their value from here, so a refresh
     * registers only rows that are new and removes only rows that are gone, and leaves the registry alone when the
     * rows are the same: re-registering every row of 10,000 endpoints every refresh took a third of the service's
     * CPU during a sweep.
     */
    private final Map<MultiGauge, Map<Tags, Double>> values = new ConcurrentHashMap<>();

    private static Row row(Tags tags, Number value) {
        return new Row(tags, value.doubleValue());
    }

    private void publish(MultiGauge gauge, List<Row> rows) {
        Map<Tags, Double> next = new HashMap<>();
        rows.forEach(r -> next.put(r.tags(), r.value()));
        Map<Tags, Double> previous = values.put(gauge, next);
        if (previous != null && previous.keySet().equals(next.keySet())) {
            return; // the same rows: the registered ones read the new values
        }
        gauge.register(next.keySet().stream().<MultiGauge.Row<?>>map(tags -> MultiGauge.Row.of(tags, values,
                all -> all.getOrDefault(gauge, Map.of()).getOrDefault(tags, Double.NaN))).toList(), false);
    }

    @Transactional
    @SuppressWarnings("unchecked")
    List<Object[]> endpointStates() {
        return em.createNativeQuery("""
                SELECT endpoint_id, presented_not_after, completed_not_after, CAST(trusted_levels AS text),
                       last_scan_at, last_status FROM alert_endpoint_state""").getResultList();
    }

    @Scheduled(identity = "alert-metrics", every = "${trustfleet.alerts.metrics-refresh:30s}", delayed = "2s",
            executeWith = Scheduled.SIMPLE, concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warnf("metrics snapshot not refreshed: %s", e.toString());
        }
    }

    /**
     * Reads the snapshot from the database and replaces every gauge's rows. Not one transaction: each tenant's reads
     * run in short transactions of their own, so that no persistence context grows with the fleet (one holding every
     * tenant's endpoints and groups was checked for changes before each further query, which made a refresh of
     * 10,000 tenants take minutes).
     */
    public void refresh() {
        long certain = certainSeries();
        if (certain > maxSeries) {
            // the listing below would find at least these: reading every tenant's endpoints and groups on each
            // refresh only to publish none of them took a core for most of a fleet-scale store change
            omit(certain);
            List.of(endpointInfo, presentedNotAfter, completedNotAfter, trusted, lastScan, lastScanStatus, groupInfo,
                    groupDevices).forEach(gauge -> publish(gauge, List.of()));
            publish(deliveryCount, deliveryRows());
            return;
        }
        List<Row> info = new ArrayList<>();
        List<Row> presented = new ArrayList<>();
        List<Row> completed = new ArrayList<>();
        List<Row> trust = new ArrayList<>();
        List<Row> scanned = new ArrayList<>();
        List<Row> status = new ArrayList<>();
        List<Row> gInfo = new ArrayList<>();
        List<Row> gDevices = new ArrayList<>();
        Map<UUID, Object[]> states = new HashMap<>();
        endpointStates().forEach(r -> states.put((UUID) r[0], r));
        Map<UUID, List<DeviceGroup>> groupsByTenant = new LinkedHashMap<>();
        for (Tenant tenant : tenants.list()) {
            String t = tenant.id().toString();
            for (Endpoint e : endpoints.list(tenant.id())) {
                Tags ids = Tags.of("tenant_id", t, "endpoint_id", e.id().toString());
                info.add(row(ids.and("name", e.name(), "host", e.host(), "port",
                        Integer.toString(e.port())), 1));
                Object[] s = states.get(e.id());
                if (s == null) {
                    continue;
                }
                if (s[1] != null) {
                    presented.add(row(ids, NativeColumns.instant(s[1]).getEpochSecond()));
                }
                if (s[2] != null) {
                    completed.add(row(ids, NativeColumns.instant(s[2]).getEpochSecond()));
                }
                if (s[3] != null) {
                    Map<Integer, Boolean> levels = json.read((String) s[3],
                            new TypeReference<Map<Integer, Boolean>>() {});
                    levels.forEach((level, ok) -> trust.add(row(ids.and("api_level",
                            Integer.toString(level)), ok ? 1 : 0)));
                }
                scanned.add(row(ids, NativeColumns.instant(s[4]).getEpochSecond()));
                status.add(row(ids.and("status", (String) s[5]), 1));
            }
            List<DeviceGroup> tenantGroups = groups.list(tenant.id());
            groupsByTenant.put(tenant.id(), tenantGroups);
            for (DeviceGroup g : tenantGroups) {
                gInfo.add(row(Tags.of("tenant_id", t, "group_id", g.id().toString(), "name", g.name()), 1));
            }
        }
        // every group has one device series per compliance state: known before counting the devices, which costs an
        // aggregate over each tenant's devices and is skipped when the series would not be published anyway
        long series = (long) info.size() + presented.size() + completed.size() + trust.size() + scanned.size()
                + status.size() + (long) gInfo.size() * SERIES_PER_GROUP;
        boolean perObject = series <= maxSeries;
        if (perObject) {
            groupsByTenant.forEach((tenantId, tenantGroups) -> {
                Map<UUID, AlertWatcher.GroupCounts> counts = watcher.counts(tenantId);
                for (DeviceGroup g : tenantGroups) {
                    Tags ids = Tags.of("tenant_id", tenantId.toString(), "group_id", g.id().toString());
                    AlertWatcher.GroupCounts c = counts.get(g.id());
                    for (ComplianceState state : ComplianceState.values()) {
                        int n = c == null ? 0 : c.byState().getOrDefault(state, 0);
                        gDevices.add(row(ids.and("state", state.name()), n));
                    }
                }
            });
        }
        if (!perObject) {
            omit(series);
            List.of(info, presented, completed, trust, scanned, status, gInfo, gDevices).forEach(List::clear);
        } else {
            omitted.set(0);
        }
        publish(endpointInfo, info);
        publish(presentedNotAfter, presented);
        publish(completedNotAfter, completed);
        publish(trusted, trust);
        publish(lastScan, scanned);
        publish(lastScanStatus, status);
        publish(groupInfo, gInfo);
        publish(groupDevices, gDevices);
        publish(deliveryCount, deliveryRows());
    }

    /**
     * The per-object series a snapshot publishes whatever the endpoints' scan states: one info per endpoint, and per
     * group its info and one per compliance state (every endpoint and group belongs to a tenant the refresh lists).
     */
    @Transactional
    long certainSeries() {
        Object[] counts = (Object[]) em.createNativeQuery(
                "SELECT (SELECT count(*) FROM endpoint), (SELECT count(*) FROM device_group)").getSingleResult();
        return ((Number) counts[0]).longValue() + ((Number) counts[1]).longValue() * SERIES_PER_GROUP;
    }

    private void omit(long series) {
        if (omitted.getAndSet(series) == 0) {
            LOG.warnf("%d per-endpoint and per-group metric series exceed trustfleet.alerts.metrics-max-series"
                    + " (%d): none of them is published", series, maxSeries);
        }
    }

    /** Pending and failed alert deliveries per tenant: not per object, published whatever the fleet's size. */
    private List<Row> deliveryRows() {
        List<Row> rows = new ArrayList<>();
        Map<String, long[]> byTenant = new HashMap<>();
        for (Object[] r : deliveries.countsByTenantAndStatus()) {
            long[] pf = byTenant.computeIfAbsent(r[0].toString(), k -> new long[2]);
            pf["PENDING".equals(r[1]) ? 0 : 1] = ((Number) r[2]).longValue();
        }
        byTenant.forEach((t, pf) -> {
            rows.add(row(Tags.of("tenant_id", t, "status", "PENDING"), pf[0]));
            rows.add(row(Tags.of("tenant_id", t, "status", "FAILED"), pf[1]));
        });
        return rows;
    }
}
