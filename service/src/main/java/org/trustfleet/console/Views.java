package org.trustfleet.console;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The console's view models: what each page shows, already decided (labels, states, marks), so that templates only
 * lay it out. Built by {@link ConsoleViews} from the services' records; no entity and no raw storage shape reaches a
 * template. Every string here may come from a scanned server or a user and is escaped by Qute where it is written.
 */
public final class Views {
    private Views() {}

    /** What every page's frame needs: where we are, who is signed in, and the session's CSRF token for its forms. */
    public record Chrome(UUID tenantId, String tenantName, String role, boolean canWrite, String csrf, String active,
            String message) {
        public String base() {
            return "/console/tenants/" + tenantId;
        }

        public boolean is(String page) {
            return page.equals(active);
        }

        Chrome withMessage(String text) {
            return new Chrome(tenantId, tenantName, role, canWrite, csrf, active, text);
        }
    }

    /** A tenant in the operator's picker. */
    public record TenantRow(UUID id, String name) {}

    /** An Android version column: "Android 7.0" and "API 24". */
    public record Level(int apiLevel, String name) {
        public String label() {
            return name.isEmpty() ? "Android" : "Android " + name;
        }
    }

    /** One count with a label and where it links. */
    public record Count(String label, long count, String href) {}

    /** The overview: what is failing, where devices stand, what is about to break. */
    public record Overview(List<Count> failingPerLevel, List<Count> devicesByState, List<Expiring> expiring,
            int expiringTotal, List<Change> recentChanges, int changesTotal, List<Problem> unresolved,
            int unresolvedTotal, int failingEndpoints) {}

    /** A certificate that expires soon. */
    public record Expiring(String sha256, String subject, Instant notAfter, long days) {}

    /** A chain change of an endpoint: kind, when, and the certificates that left and came. */
    public record Change(UUID endpointId, String endpointName, Instant occurredAt, String kind, List<String> removed,
            List<String> added) {}

    /** Something devices cannot be fixed for. */
    public record Problem(UUID groupId, String groupName, UUID endpointId, String endpointName, String levels,
            String code, String detail) {}

    /** A cell of the trust matrix. */
    public enum CellState {
        TRUSTED("trusted", "✓", "trusted", "trusted as presented"),
        FIXABLE("fixable", "+", "fixable", "trusted once the group's certificates are installed"),
        NOT_FIXABLE("broken", "✗", "not fixable", "not fixable on the device"),
        NOT_SCANNED("unknown", "–", "not scanned", "not scanned or unreachable");

        private final String css;
        private final String symbol;
        private final String word;
        private final String text;

        CellState(String css, String symbol, String word, String text) {
            this.css = css;
            this.symbol = symbol;
            this.word = word;
            this.text = text;
        }

        /** The state in a word or two, read out by screen readers after the symbol. */
        public String word() {
            return word;
        }

        public String css() {
            return css;
        }

        public String symbol() {
            return symbol;
        }

        public String text() {
            return text;
        }
    }

    /** One endpoint at one API level: the state, and the reason when it is not trusted. */
    public record Cell(int apiLevel, CellState state, String reason) {
        public String title() {
            return reason == null || reason.isEmpty() ? state.text() : state.text() + ": " + reason;
        }
    }

    /** A row of the trust matrix. */
    public record MatrixRow(UUID id, String name, String host, int port, String status, Instant lastScan,
            List<Cell> cells, int failing) {}

    /** One page of the trust matrix with its columns, sort, filter and paging. */
    public record Matrix(List<Level> levels, List<MatrixRow> rows, String sort, String filter, boolean failingOnly,
            int total, int matching, int page, int pages) {
        /** The query of this view without the page, for the paging links. */
        public String query() {
            return "sort=" + sort + "&failing=" + failingOnly + "&q=" + java.net.URLEncoder.encode(filter,
                    java.nio.charset.StandardCharsets.UTF_8);
        }

        public boolean hasPrevious() {
            return page > 1;
        }

        public boolean hasNext() {
            return page < pages;
        }
    }

    /** A certificate drawn in a chain, with its marks. */
    public record ChainLink(String sha256, String subject, String issuer, List<String> names, Instant notAfter,
            boolean sent, boolean fromAia, boolean expired, boolean expiringSoon, boolean root) {
        public String shortId() {
            return sha256 == null ? "" : sha256.substring(0, Math.min(16, sha256.length()));
        }
    }

    /** A finding in a plain sentence. */
    public record Sentence(String code, String text) {}

    /** A scan in the history, with the chain diff against the scan before it. */
    public record HistoryEntry(UUID scanId, Instant at, String status, String trigger, boolean chainChanged,
            List<String> removed, List<String> added, int trustedLevels, int levels) {}

    /** One endpoint's detail page. */
    public record EndpointDetail(UUID id, String name, String host, int port, String serverName, String protocol,
            int scanIntervalMinutes, boolean scanned, String status, String error, Instant lastScan,
            List<ChainLink> presented, List<ChainLink> path, List<String> serverFix, List<Sentence> serverFixText,
            List<Sentence> findings, List<Level> levels, List<Cell> cells, List<String> cellReasons,
            List<HistoryEntry> history) {}

    /** A device group in the list. */
    public record GroupRow(UUID id, String name, int minApiLevel, int maxApiLevel, String mode, int endpoints) {}

    /** A certificate a group requires, with why. */
    public record Required(String sha256, String role, String subject, Instant notAfter, List<String> reasons) {}

    /** A download of a group's certificates in one export format. */
    public record Download(String format, String label, String href) {}

    /** One device group's page. */
    public record GroupDetail(UUID id, String name, int minApiLevel, int maxApiLevel, String mode,
            List<String> endpoints, long version, Instant computedAt, List<Required> required, List<Problem> unresolved,
            List<String> advice, List<Download> downloads, Instant updatedAt, List<GroupVersion> history) {}

    /** A certificate added to or removed from a group's set, with the first 16 hex digits of its SHA-256. */
    public record VersionedCertificate(String sha256, String sha256Prefix, String role, String subject) {}

    /**
     * One version of a group's set in its history, newest first; {@code complete} false when the version before it
     * was not recorded, so {@code added} is its whole set rather than a difference.
     */
    public record GroupVersion(long version, Instant recordedAt, List<VersionedCertificate> added,
            List<VersionedCertificate> removed, boolean complete) {}

    /** A device in the compliance table. */
    public record DeviceRow(UUID id, String hardwareId, String model, int apiLevel, UUID groupId, String groupName,
            String state, Instant lastSeenAt, boolean revoked) {}

    /** The compliance table with its filters and the next page. */
    public record DeviceTable(List<DeviceRow> rows, List<String> states, List<GroupRow> groups, String state,
            UUID group, UUID next) {}

    /** One device: desired vs reported. */
    public record DeviceDetail(DeviceRow device, String agentVersion, Instant enrolledAt, Long desiredVersion,
            Long reportedVersion, List<String> missing, List<String> unexpected, List<String> failures) {}

    /** An enrollment token in the list. */
    public record TokenRow(UUID id, String prefix, String groupName, Instant expiresAt, int uses, int maxUses,
            String state) {}

    /** A token just created: shown once, with its QR code. */
    public record NewToken(String token, String enrollUrl, String qrSvg, Instant expiresAt, int maxUses) {}

    /** The enrollment page. */
    public record Enrollment(List<TokenRow> tokens, List<GroupRow> groups, NewToken created) {}

    /** A tenant anchor in the list. */
    public record AnchorRow(String sha256, String subject, Instant notAfter, String note) {}

    /** The drift page: changes, failing endpoints, expiring certificates and their chart. */
    public record Drift(Instant since, List<Change> changes, List<FailingEndpoint> failing, List<Expiring> expiring,
            String expiryChartSvg, List<Problem> unresolved, List<Verified> verified) {}

    /** What a group's devices found connecting to one endpoint themselves ("verified on N of M devices"). */
    public record Verified(UUID groupId, String groupName, UUID endpointId, String endpointName, String summary,
            long trusted, long untrusted, long unreachable, long notReported, List<String> flags) {}

    /** An endpoint in the drift report's failing list. */
    public record FailingEndpoint(UUID id, String name, String status, String error, String levels,
            List<String> findings) {}
}
