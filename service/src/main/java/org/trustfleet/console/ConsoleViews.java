package org.trustfleet.console;

import jakarta.enterprise.context.ApplicationScoped;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.trustfleet.console.Views.Cell;
import org.trustfleet.console.Views.CellState;
import org.trustfleet.console.Views.Change;
import org.trustfleet.console.Views.ChainLink;
import org.trustfleet.console.Views.Count;
import org.trustfleet.console.Views.DeviceDetail;
import org.trustfleet.console.Views.DeviceRow;
import org.trustfleet.console.Views.DeviceTable;
import org.trustfleet.console.Views.Download;
import org.trustfleet.console.Views.EndpointDetail;
import org.trustfleet.console.Views.GroupVersion;
import org.trustfleet.console.Views.Expiring;
import org.trustfleet.console.Views.FailingEndpoint;
import org.trustfleet.console.Views.GroupDetail;
import org.trustfleet.console.Views.GroupRow;
import org.trustfleet.console.Views.HistoryEntry;
import org.trustfleet.console.Views.Level;
import org.trustfleet.console.Views.Matrix;
import org.trustfleet.console.Views.MatrixRow;
import org.trustfleet.console.Views.Overview;
import org.trustfleet.console.Views.Problem;
import org.trustfleet.console.Views.Required;
import org.trustfleet.console.Views.Sentence;
import org.trustfleet.console.Views.TokenRow;
import org.trustfleet.console.Views.VersionedCertificate;
import org.trustfleet.device.ComplianceState;
import org.trustfleet.device.DeviceService;
import org.trustfleet.device.DeviceView;
import org.trustfleet.device.EnrollmentService;
import org.trustfleet.drift.DriftReport;
import org.trustfleet.drift.DriftService;
import org.trustfleet.payload.ExportFormat;
import org.trustfleet.payload.ExportService;
import org.trustfleet.pki.AndroidVersions;
import org.trustfleet.pki.CertificateSummary;
import org.trustfleet.pki.Finding;
import org.trustfleet.pki.FindingCode;
import org.trustfleet.policy.DeviceGroup;
import org.trustfleet.policy.DeviceGroupService;
import org.trustfleet.policy.GroupRequirements;
import org.trustfleet.policy.RequirementsService;
import org.trustfleet.scan.ApiLevelVerdict;
import org.trustfleet.scan.Endpoint;
import org.trustfleet.scan.EndpointService;
import org.trustfleet.scan.ProbeStatus;
import org.trustfleet.scan.ScanResult;
import org.trustfleet.scan.ScanService;
import org.trustfleet.truststore.BundledStores;
import org.trustfleet.truststore.CertificateStore;

/**
 * Builds the console's view models from the services (each read in the service's own transaction). The decisions a
 * page shows (a matrix cell's state, a chain link's marks, a device's state) are taken here once, from the
 * services' answers, never re-derived from certificates: the verdicts are the scanner's, the requirements the
 * policy engine's, compliance the device service's.
 */
@ApplicationScoped
public class ConsoleViews {
    static final int PAGE = 200;
    /** Endpoints per page of the trust matrix (each row holds a cell per Android version). */
    static final int MATRIX_PAGE = 250;
    /** Entries per list on the overview; the full lists are a click away. */
    static final int OVERVIEW_LIST = 10;
    /** Entries of a history shown on a page: an endpoint's scans, a group's versions. */
    private static final int HISTORY = 20;

    private final EndpointService endpoints;
    private final ScanService scans;
    private final DeviceGroupService groups;
    private final RequirementsService requirements;
    private final DeviceService devices;
    private final EnrollmentService enrollment;
    private final DriftService drift;
    private final CertificateStore certificates;
    private final ExportService exports;
    private final Clock clock;
    private final List<Integer> bundledLevels;

    public ConsoleViews(EndpointService endpoints, ScanService scans, DeviceGroupService groups,
            RequirementsService requirements, DeviceService devices, EnrollmentService enrollment, DriftService drift,
            CertificateStore certificates, ExportService exports, Clock clock) {
        this.endpoints = endpoints;
        this.scans = scans;
        this.groups = groups;
        this.requirements = requirements;
        this.devices = devices;
        this.enrollment = enrollment;
        this.drift = drift;
        this.certificates = certificates;
        this.exports = exports;
        this.clock = clock;
        this.bundledLevels = List.copyOf(BundledStores.apiLevels());
    }

    // ---- overview and drift

    /** The overview, from the drift report alone (one read of the endpoints, their scans, groups and devices). */
    public Overview overview(UUID tenantId) {
        DriftReport report = drift.report(tenantId);
        String base = "/console/tenants/" + tenantId;
        Map<Integer, Long> perLevel = new java.util.TreeMap<>();
        for (DriftReport.EndpointProblem p : report.failingEndpoints()) {
            p.untrustedApiLevels().forEach(l -> perLevel.merge(l, 1L, Long::sum));
        }
        List<Count> failing = perLevel.entrySet().stream().map(e -> new Count(AndroidVersions.label(e.getKey()),
                e.getValue(), base + "/endpoints?failing=true")).toList();
        List<Count> byState = new ArrayList<>();
        for (ComplianceState state : ComplianceState.values()) {
            byState.add(new Count(state.name(), report.devices().byState().getOrDefault(state.name(), 0L),
                    base + "/devices?state=" + state.name()));
        }
        List<Change> changes = report.chainChanges().stream().limit(OVERVIEW_LIST).map(ConsoleViews::change).toList();
        List<Expiring> expiring = expiring(report);
        List<Problem> unresolved = unresolved(report, endpointNames(tenantId));
        return new Overview(failing, byState, expiring.subList(0, Math.min(OVERVIEW_LIST, expiring.size())),
                expiring.size(), changes, report.chainChanges().size(),
                unresolved.subList(0, Math.min(OVERVIEW_LIST, unresolved.size())), unresolved.size(),
                report.failingEndpoints().size());
    }

    public Views.Drift drift(UUID tenantId) {
        DriftReport report = drift.report(tenantId);
        List<Expiring> expiring = expiring(report);
        List<FailingEndpoint> failing = report.failingEndpoints().stream().map(p -> new FailingEndpoint(p.endpointId(),
                p.endpointName(), p.status() == null ? "NOT_SCANNED" : p.status().name(), p.error(),
                levels(p.untrustedApiLevels()), p.findings())).toList();
        List<Views.Verified> verified = report.deviceVerifications().stream().map(v -> new Views.Verified(
                v.groupId(), v.groupName(), v.endpointId(), v.endpointName(), v.summary(), v.trusted(), v.untrusted(),
                v.unreachable(), v.notReported(), v.flags().stream().map(Enum::name).toList())).toList();
        return new Views.Drift(report.since(), report.chainChanges().stream().map(ConsoleViews::change).toList(),
                failing, expiring, SvgCharts.expiryChart(expiring, clock.instant()),
                unresolved(report, endpointNames(tenantId)), verified);
    }

    private List<Expiring> expiring(DriftReport report) {
        Instant now = clock.instant();
        return report.expiringCertificates().stream()
                .map(c -> new Expiring(c.sha256(), c.subject(), c.notAfter(),
                        Math.max(0, Duration.between(now, c.notAfter()).toDays())))
                .sorted(Comparator.comparing(Expiring::notAfter)).toList();
    }

    private static List<Problem> unresolved(DriftReport report, Map<UUID, String> endpointNames) {
        return report.unresolved().stream().map(u -> new Problem(u.groupId(), u.groupName(), u.endpointId(),
                endpointNames.get(u.endpointId()), levels(u.apiLevels()), u.code().name(), u.detail())).toList();
    }

    private Map<UUID, String> endpointNames(UUID tenantId) {
        return endpoints.list(tenantId).stream().collect(Collectors.toMap(Endpoint::id, Endpoint::name, (a, b) -> a));
    }

    private static Change change(DriftReport.ChainChangeEntry c) {
        return new Change(c.endpointId(), c.endpointName(), c.occurredAt(), c.kind().name(),
                minus(c.previousChain(), c.newChain()), minus(c.newChain(), c.previousChain()));
    }

    private static List<String> minus(List<String> a, List<String> b) {
        Set<String> other = new HashSet<>(b == null ? List.of() : b);
        return (a == null ? List.<String>of() : a).stream().filter(x -> !other.contains(x)).toList();
    }

    static String levels(List<Integer> levels) {
        if (levels == null || levels.isEmpty()) {
            return "";
        }
        SortedSet<Integer> sorted = new TreeSet<>(levels);
        return sorted.size() == 1 ? "API " + sorted.first() : "API " + sorted.first() + "–" + sorted.last()
                + (sorted.last() - sorted.first() + 1 == sorted.size() ? "" : " (" + sorted.size() + " levels)");
    }

    // ---- endpoints

    /** One page ({@link #MATRIX_PAGE} rows) of the trust matrix, filtered and sorted over all endpoints. */
    public Matrix matrix(UUID tenantId, String sort, String filter, boolean failingOnly, int page) {
        List<Endpoint> list = endpoints.list(tenantId);
        String needle = filter == null ? "" : filter.strip().toLowerCase(Locale.ROOT);
        // the name filter first, so that only the matching endpoints' scans are read
        List<Endpoint> matching = needle.isEmpty() ? list : list.stream()
                .filter(e -> e.name().toLowerCase(Locale.ROOT).contains(needle)
                        || e.host().toLowerCase(Locale.ROOT).contains(needle)).toList();
        Map<UUID, ScanResult> latest = scans.latestOf(matching.stream().map(Endpoint::id).toList()).stream()
                .collect(Collectors.toMap(ScanResult::endpointId, Function.identity(), (a, b) -> a));
        List<Level> levels = levels(latest.values());
        List<MatrixRow> rows = new ArrayList<>();
        for (Endpoint e : matching) {
            ScanResult scan = latest.get(e.id());
            List<Cell> cells = cells(scan, levels);
            int failing = (int) cells.stream().filter(c -> c.state() != CellState.TRUSTED).count();
            if (failingOnly && failing == 0) {
                continue;
            }
            rows.add(new MatrixRow(e.id(), e.name(), e.host(), e.port(), scan == null ? "NOT_SCANNED"
                    : scan.status().name(), scan == null ? null : scan.startedAt(), cells, failing));
        }
        String s = sort == null ? "name" : sort;
        Comparator<MatrixRow> order = switch (s) {
            case "failing" -> Comparator.comparingInt(MatrixRow::failing).reversed()
                    .thenComparing(MatrixRow::name, String.CASE_INSENSITIVE_ORDER);
            case "host" -> Comparator.comparing(MatrixRow::host, String.CASE_INSENSITIVE_ORDER);
            case "scanned" -> Comparator.comparing(MatrixRow::lastScan,
                    Comparator.nullsFirst(Comparator.<Instant>naturalOrder()));
            default -> Comparator.comparing(MatrixRow::name, String.CASE_INSENSITIVE_ORDER);
        };
        rows.sort(order);
        int pages = Math.max(1, (rows.size() + MATRIX_PAGE - 1) / MATRIX_PAGE);
        int current = Math.max(1, Math.min(page, pages));
        List<MatrixRow> shown = rows.subList((current - 1) * MATRIX_PAGE,
                Math.min(rows.size(), current * MATRIX_PAGE));
        return new Matrix(levels, List.copyOf(shown), s, filter == null ? "" : filter, failingOnly, list.size(),
                rows.size(), current, pages);
    }

    private List<Level> levels(java.util.Collection<ScanResult> results) {
        SortedSet<Integer> all = new TreeSet<>(bundledLevels);
        for (ScanResult r : results) {
            if (r.perApiLevel() != null) {
                r.perApiLevel().forEach(v -> all.add(v.apiLevel()));
            }
        }
        return all.stream().map(l -> new Level(l, AndroidVersions.name(l))).toList();
    }

    private static List<Cell> cells(ScanResult scan, List<Level> levels) {
        Map<Integer, ApiLevelVerdict> byLevel = new HashMap<>();
        if (scan != null && scan.perApiLevel() != null) {
            scan.perApiLevel().forEach(v -> byLevel.put(v.apiLevel(), v));
        }
        List<Cell> cells = new ArrayList<>(levels.size());
        for (Level level : levels) {
            ApiLevelVerdict v = byLevel.get(level.apiLevel());
            if (scan == null || scan.status() != ProbeStatus.OK || v == null) {
                cells.add(new Cell(level.apiLevel(), CellState.NOT_SCANNED, scan == null ? "no scan yet"
                        : scan.status() != ProbeStatus.OK ? scan.status().name() : "no verdict for this level"));
            } else if (v.trusted()) {
                cells.add(new Cell(level.apiLevel(), CellState.TRUSTED, null));
            } else if (v.missing() != null && !v.missing().isEmpty()) {
                cells.add(new Cell(level.apiLevel(), CellState.FIXABLE, "install " + v.missing().size() + " certificate(s): "
                        + v.missing().stream().map(ConsoleViews::shortId).collect(Collectors.joining(", "))));
            } else {
                cells.add(new Cell(level.apiLevel(), CellState.NOT_FIXABLE, v.failure() == null ? "the chain fails" : v.failure()));
            }
        }
        return cells;
    }

    /** The cells' reasons in words, one line per run of levels that share the state and the reason. */
    static List<String> reasons(List<Cell> cells) {
        List<String> lines = new ArrayList<>();
        List<Integer> run = new ArrayList<>();
        Cell first = null;
        for (Cell c : cells) {
            if (first != null && (c.state() != first.state() || !java.util.Objects.equals(c.reason(), first.reason()))) {
                lines.add(line(first, run));
                run.clear();
            }
            if (run.isEmpty()) {
                first = c;
            }
            run.add(c.apiLevel());
        }
        if (first != null) {
            lines.add(line(first, run));
        }
        return lines;
    }

    private static String line(Cell c, List<Integer> levels) {
        return levels(levels) + ": " + c.title();
    }

    static String shortId(String sha256) {
        return sha256 == null ? "" : sha256.substring(0, Math.min(16, sha256.length()));
    }

    public EndpointDetail endpoint(UUID tenantId, UUID endpointId) {
        Endpoint e = endpoints.get(tenantId, endpointId);
        List<ScanResult> history = scans.history(tenantId, endpointId, HISTORY);
        ScanResult scan = history.isEmpty() ? null : history.get(0);
        List<Level> levels = levels(scan == null ? List.of() : List.of(scan));
        Instant now = clock.instant();
        List<ChainLink> presented = new ArrayList<>();
        List<ChainLink> path = new ArrayList<>();
        List<Sentence> findings = new ArrayList<>();
        List<String> serverFix = List.of();
        List<Sentence> serverFixText = new ArrayList<>();
        if (scan != null) {
            Set<String> sent = new HashSet<>();
            Set<String> aia = new HashSet<>();
            for (Finding f : scan.findings()) {
                if (f.code() == FindingCode.AIA_FETCHED && f.sha256() != null) {
                    aia.add(f.sha256());
                }
            }
            Map<String, CertificateSummary> known = new LinkedHashMap<>();
            scan.presented().forEach(c -> known.put(c.sha256(), c));
            List<String> wanted = new ArrayList<>(known.keySet());
            if (scan.completedPath() != null) {
                scan.completedPath().stream().filter(h -> !known.containsKey(h)).forEach(wanted::add);
            }
            Map<String, List<String>> names = new HashMap<>();
            for (X509Certificate c : certificates.findAll(wanted)) {
                CertificateSummary s = CertificateSummary.of(c);
                known.putIfAbsent(s.sha256(), s);
                names.put(s.sha256(), subjectAltNames(c));
            }
            for (CertificateSummary c : scan.presented()) {
                sent.add(c.sha256());
                presented.add(link(c, names, true, false, now));
            }
            if (scan.completedPath() != null) {
                for (String h : scan.completedPath()) {
                    CertificateSummary c = known.get(h);
                    path.add(c == null ? new ChainLink(h, "(certificate not stored)", "", List.of(), null,
                            sent.contains(h), aia.contains(h), false, false, false)
                            : link(c, names, sent.contains(h), aia.contains(h), now));
                }
            }
            // the durable fix is on the server: say it first
            if (scan.serverFix() != null) {
                serverFix = scan.serverFix().chain();
                if (scan.serverFix().changesPresented()) {
                    serverFixText.add(new Sentence("SERVER_FIX", "Configure the server to send this chain ("
                            + serverFix.size() + " certificates, leaf first): "
                            + serverFix.stream().map(ConsoleViews::shortId).collect(Collectors.joining(" → "))
                            + ". Then every Android version that accepts it needs nothing installed."));
                } else {
                    serverFixText.add(new Sentence("SERVER_OK", "The server already sends the best chain it can."));
                }
                if (!scan.serverFix().levelsNotFixed().isEmpty()) {
                    serverFixText.add(new Sentence("NOT_FIXED_BY_SERVER", "No chain the server could send is"
                            + " trusted on " + levels(scan.serverFix().levelsNotFixed())
                            + "; those devices need a certificate delivered by a device group."));
                }
            }
            for (Finding f : scan.findings()) {
                findings.add(new Sentence(f.code().name(), f.detail()));
            }
        }
        List<Cell> cells = cells(scan, levels);
        List<HistoryEntry> entries = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            ScanResult r = history.get(i);
            ScanResult before = i + 1 < history.size() ? history.get(i + 1) : null;
            List<String> now2 = r.presented().stream().map(CertificateSummary::sha256).toList();
            List<String> prev = before == null ? now2 : before.presented().stream().map(CertificateSummary::sha256)
                    .toList();
            boolean changed = before != null && !now2.isEmpty() && !prev.isEmpty() && !now2.equals(prev);
            int trusted = r.perApiLevel() == null ? 0 : (int) r.perApiLevel().stream()
                    .filter(ApiLevelVerdict::trusted).count();
            entries.add(new HistoryEntry(r.id(), r.startedAt(), r.status().name(), r.trigger().name(), changed,
                    changed ? minus(prev, now2).stream().map(ConsoleViews::shortId).toList() : List.of(),
                    changed ? minus(now2, prev).stream().map(ConsoleViews::shortId).toList() : List.of(), trusted,
                    r.perApiLevel() == null ? 0 : r.perApiLevel().size()));
        }
        return new EndpointDetail(e.id(), e.name(), e.host(), e.port(), e.serverName(), e.protocol(),
                e.scanIntervalMinutes(),
                scan != null, scan == null ? "NOT_SCANNED" : scan.status().name(), scan == null ? null : scan.error(),
                scan == null ? null : scan.startedAt(), presented, path, serverFix, serverFixText, findings, levels,
                cells, reasons(cells), entries);
    }

    private static ChainLink link(CertificateSummary c, Map<String, List<String>> names, boolean sent,
            boolean fromAia, Instant now) {
        boolean expired = c.notAfter() != null && c.notAfter().isBefore(now);
        boolean soon = !expired && c.notAfter() != null && c.notAfter().isBefore(now.plus(Duration.ofDays(30)));
        return new ChainLink(c.sha256(), c.subject(), c.issuer(), names.getOrDefault(c.sha256(), List.of()),
                c.notAfter(), sent, fromAia, expired, soon, c.selfSigned());
    }

    /** The subjectAltNames as {@code DNS:…}, {@code IP:…}, {@code URI:…} (as the server wrote them: data, not links). */
    private static List<String> subjectAltNames(X509Certificate c) {
        try {
            java.util.Collection<List<?>> all = c.getSubjectAlternativeNames();
            if (all == null) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (List<?> entry : all) {
                String kind = switch ((Integer) entry.get(0)) {
                    case 1 -> "email";
                    case 2 -> "DNS";
                    case 6 -> "URI";
                    case 7 -> "IP";
                    default -> "other";
                };
                out.add(kind + ":" + (entry.get(1) instanceof String s ? s : "(binary)"));
            }
            return out;
        } catch (java.security.cert.CertificateParsingException e) {
            return List.of("(subjectAltName cannot be read)");
        }
    }

    // ---- groups

    public List<GroupRow> groups(UUID tenantId) {
        return groups.list(tenantId).stream().map(ConsoleViews::groupRow).toList();
    }

    private static GroupRow groupRow(DeviceGroup g) {
        return new GroupRow(g.id(), g.name(), g.minApiLevel(), g.maxApiLevel(),
                g.managementMode() == null ? "" : g.managementMode().name(),
                g.endpointIds() == null ? 0 : g.endpointIds().size());
    }

    public GroupDetail group(UUID tenantId, UUID groupId) {
        DeviceGroup g = groups.get(tenantId, groupId);
        GroupRequirements req = requirements.current(tenantId, groupId);
        Map<UUID, String> names = endpointNames(tenantId);
        List<Required> required = req.certificates().stream().map(c -> new Required(c.sha256(), c.role(),
                c.subject(), c.notAfter(), c.reasons().stream().map(r -> reason(r, names)).toList())).toList();
        List<Problem> unresolved = req.unresolved().stream().map(p -> new Problem(groupId, g.name(), p.endpointId(),
                names.get(p.endpointId()), levels(p.apiLevels()), p.code().name(), p.detail())).toList();
        List<String> advice = new ArrayList<>();
        advice.add("Certificates installed as user CAs are trusted only by apps that opt in (Android 7.0 and later,"
                + " network security config); fully managed devices install them in the device-wide store, work"
                + " profiles only for work apps.");
        req.advice().forEach(a -> advice.add(a.detail()));
        String base = "/console/tenants/" + tenantId + "/device-groups/" + groupId + "/export?format=";
        List<Download> downloads = new ArrayList<>();
        for (ExportFormat f : ExportFormat.values()) {
            if (f == ExportFormat.DER && req.certificates().size() != 1) {
                continue; // one certificate per DER file
            }
            downloads.add(new Download(f.wireName(), f.wireName(), base + f.wireName()));
        }
        List<String> endpointNames = (g.endpointIds() == null ? List.<UUID>of() : g.endpointIds()).stream()
                .map(id -> names.getOrDefault(id, id.toString())).toList();
        return new GroupDetail(g.id(), g.name(), g.minApiLevel(), g.maxApiLevel(),
                g.managementMode() == null ? "" : g.managementMode().name(), endpointNames, req.version(),
                req.computedAt(), required, unresolved, advice, downloads, g.updatedAt(), history(tenantId, groupId));
    }

    private List<GroupVersion> history(UUID tenantId, UUID groupId) {
        return exports.history(tenantId, groupId, HISTORY).stream().map(v -> new GroupVersion(v.version(),
                v.recordedAt(), versioned(v.added()), versioned(v.removed()), v.complete())).toList();
    }

    private static List<VersionedCertificate> versioned(List<ExportService.ChangedCertificate> certificates) {
        return certificates.stream().map(c -> new VersionedCertificate(c.sha256(),
                c.sha256().substring(0, Math.min(16, c.sha256().length())), c.role(), c.subject())).toList();
    }

    private static String reason(org.trustfleet.policy.Reason r, Map<UUID, String> names) {
        return r.code().name() + " for " + names.getOrDefault(r.endpointId(), String.valueOf(r.endpointId()))
                + " on " + levels(r.apiLevels());
    }

    // ---- devices

    public DeviceTable devices(UUID tenantId, String state, UUID group, UUID after) {
        Map<UUID, String> groupNames = groups.list(tenantId).stream()
                .collect(Collectors.toMap(DeviceGroup::id, DeviceGroup::name, (a, b) -> a));
        List<DeviceRow> rows = new ArrayList<>();
        UUID cursor = after;
        UUID next = null;
        // read pages until one page of matches is full; the cursor is the last device read, so "next" resumes there
        while (rows.size() < PAGE) {
            List<DeviceView> page = devices.list(tenantId, DeviceService.MAX_LIMIT, cursor);
            for (DeviceView d : page) {
                cursor = d.id();
                DeviceRow row = row(d, groupNames);
                if ((state == null || state.isEmpty() || state.equals(row.state()))
                        && (group == null || group.equals(d.deviceGroupId()))) {
                    rows.add(row);
                    if (rows.size() == PAGE) {
                        next = d.id();
                        break;
                    }
                }
            }
            if (page.size() < DeviceService.MAX_LIMIT) {
                break;
            }
        }
        List<String> states = java.util.Arrays.stream(ComplianceState.values()).map(Enum::name).toList();
        return new DeviceTable(rows, states, groups(tenantId), state == null ? "" : state, group, next);
    }

    private static DeviceRow row(DeviceView d, Map<UUID, String> groupNames) {
        return new DeviceRow(d.id(), d.hardwareId(), d.model(), d.apiLevel(), d.deviceGroupId(),
                groupNames.getOrDefault(d.deviceGroupId(), "(deleted group)"),
                d.revoked() ? "REVOKED" : d.compliance().state().name(), d.lastSeenAt(), d.revoked());
    }

    public DeviceDetail device(UUID tenantId, UUID deviceId) {
        DeviceView d = devices.get(tenantId, deviceId);
        Map<UUID, String> groupNames = groups.list(tenantId).stream()
                .collect(Collectors.toMap(DeviceGroup::id, DeviceGroup::name, (a, b) -> a));
        var c = d.compliance();
        return new DeviceDetail(row(d, groupNames), d.agentVersion(), d.enrolledAt(), c.desiredVersion(),
                c.reportedVersion(), c.missing() == null ? List.of() : c.missing(),
                c.unexpected() == null ? List.of() : c.unexpected(),
                c.failures() == null ? List.of() : c.failures().stream().map(String::valueOf).toList());
    }

    // ---- enrollment

    public List<TokenRow> tokens(UUID tenantId) {
        Map<UUID, String> groupNames = groups.list(tenantId).stream()
                .collect(Collectors.toMap(DeviceGroup::id, DeviceGroup::name, (a, b) -> a));
        return enrollment.list(tenantId, 1000).stream().map(t -> new TokenRow(t.id(), t.tokenPrefix(),
                groupNames.getOrDefault(t.deviceGroupId(), "(deleted group)"), t.expiresAt(), t.uses(), t.maxUses(),
                t.state().name())).toList();
    }
}
