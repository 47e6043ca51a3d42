package org.trustfleet.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.trustfleet.payload.CmsPayloadVerifier;
import org.trustfleet.payload.PayloadCertificate;
import org.trustfleet.payload.PayloadDocument;
import org.trustfleet.payload.PayloadVerificationException;
import org.trustfleet.payload.SignerIdentity;
import org.trustfleet.payload.VerificationFailure;
import org.trustfleet.payload.VerifiedPayload;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.CertificateParser;
import org.trustfleet.pki.Certificates;
import org.trustfleet.pki.Sha256;

/**
 * The reference device agent: what an Android device-policy controller does, against a local CA directory
 * ({@link LocalCaStore}) instead of {@code DevicePolicyManager}. Library API: {@link #enroll}, {@link #sync()},
 * {@link #report()}, {@link #state()}. Not thread-safe: one agent per state directory at a time.
 *
 * <p>Plain {@code http://} is accepted only for loopback hosts; anything else must be {@code https://} (the payload
 * is signed, but the device token is a bearer credential).
 */
public final class ReferenceAgent {

    /** Agent version sent at enrollment. */
    public static final String AGENT_VERSION = "trustfleet-reference-agent/1";
    /** Larger payload responses are refused. */
    public static final int MAX_RESPONSE_BYTES = CmsPayloadVerifier.MAX_CMS_BYTES;
    private static final String JSON = "application/json";

    private final AgentStateStore store;
    private final LocalCaStore caStore;
    private final HttpClient http;
    private final Clock clock;
    private final CmsPayloadVerifier verifier;
    private final Duration requestTimeout = Duration.ofSeconds(30);

    /**
     * @param stateDir where {@code agent-state.json} lives
     * @param caDir    the CA directory to reconcile; may be null for an agent that only enrolls
     */
    public ReferenceAgent(Path stateDir, Path caDir) {
        this(stateDir, caDir, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build(), Clock.systemUTC());
    }

    public ReferenceAgent(Path stateDir, Path caDir, HttpClient http, Clock clock) {
        this.store = new AgentStateStore(Objects.requireNonNull(stateDir, "stateDir"));
        this.caStore = caDir == null ? null : new LocalCaStore(caDir);
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.verifier = new CmsPayloadVerifier(clock);
    }

    /** The saved state, if enrolled. */
    public Optional<AgentState> state() {
        return store.load();
    }

    /** Enrolls without a pre-provisioned root fingerprint (trust on first use of the payload root). */
    public AgentState enroll(String baseUrl, String enrollmentToken, String hardwareId, int apiLevel) {
        return enroll(baseUrl, enrollmentToken, hardwareId, apiLevel, null);
    }

    /**
     * {@code POST {base}/api/v1/enroll}; checks the returned signer chain (signer issued by the last certificate,
     * which is a self-signed CA; signer names a tenant), pins the root and saves the state. When
     * {@code expectedRootSha256} is given (e.g. from managed configuration), the root must have that fingerprint.
     * Re-enrolling keeps the set of certificates this agent installed (so they can still be removed later) and
     * forgets version and ETag.
     */
    public AgentState enroll(String baseUrl, String enrollmentToken, String hardwareId, int apiLevel,
            String expectedRootSha256) {
        Objects.requireNonNull(enrollmentToken, "enrollmentToken");
        Objects.requireNonNull(hardwareId, "hardwareId");
        URI base = checkedUri(stripSlash(Objects.requireNonNull(baseUrl, "baseUrl")));
        AgentMessages.EnrollRequest body = new AgentMessages.EnrollRequest(enrollmentToken, hardwareId, apiLevel,
                AGENT_VERSION);
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/enroll"))
                .header("Content-Type", JSON).header("Accept", JSON)
                .POST(HttpRequest.BodyPublishers.ofByteArray(json(body))).build(), "enrollment");
        if (r.statusCode() != 201 && r.statusCode() != 200) {
            throw httpError("enrollment", r);
        }
        JsonNode resp;
        try {
            resp = AgentStateStore.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new AgentException("enrollment response is not JSON");
        }
        UUID deviceId = uuid(resp, "deviceId", true);
        String token = text(resp, "deviceToken", true);
        String chainPem = text(resp, "payloadSignerChain", true);
        String payloadUrl = text(resp, "payloadUrl", true);
        UUID group = uuid(resp, "deviceGroupId", false);

        List<X509Certificate> chain;
        try {
            chain = CertificateParser.parse(chainPem);
        } catch (RuntimeException e) {
            throw new AgentException("payloadSignerChain is not a PEM certificate chain");
        }
        if (chain.size() < 2) {
            throw new AgentException("payloadSignerChain must hold the signer and the payload root");
        }
        X509Certificate signer = chain.get(0);
        X509Certificate root = chain.get(chain.size() - 1);
        if (!Certificates.isSelfSigned(root) || !Certificates.isCaCertificate(root)) {
            throw new AgentException("last certificate of payloadSignerChain is not a self-signed CA");
        }
        if (!Certificates.isIssuedBy(signer, root)) {
            throw new AgentException("payload signer is not issued by the payload root");
        }
        if (expectedRootSha256 != null
                && !Sha256.parse(expectedRootSha256.replace(":", "")).orElse("").equals(Sha256.of(root))) {
            throw new AgentException("payload root " + Sha256.of(root) + " is not the expected one");
        }
        UUID tenant = SignerIdentity.tenantOf(signer)
                .orElseThrow(() -> new AgentException("payload signer certificate names no tenant"));
        UUID claimed = uuid(resp, "tenantId", false);
        if (claimed != null && !claimed.equals(tenant)) {
            throw new AgentException("enrollment tenantId differs from the signer certificate's tenant");
        }
        URI payload = checkedUri(base.resolve(payloadUrl).toString());
        List<String> keepInstalled = store.load().map(AgentState::installed).orElse(List.of());
        AgentState state = new AgentState(AgentState.FORMAT, base.toString(), payload.toString(), deviceId, token,
                hardwareId, apiLevel, tenant, group, CertificateEncoder.toPem(List.of(root)), null, null, List.of(),
                null, keepInstalled, List.of(), false, null);
        store.save(state);
        return state;
    }

    /**
     * Fetch, verify, check group/freshness/rollback, plan the reconciliation ({@link ReconciliationPlan}, pure) and
     * carry it out on the CA directory, save, report. Throws
     * {@link PayloadRejectedException} (store and state untouched) or {@link AgentException}.
     */
    public SyncResult sync() {
        if (caStore == null) {
            throw new IllegalStateException("no CA directory configured");
        }
        AgentState state = requireState();
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(state.payloadUrl()))
                .header("Authorization", "Bearer " + state.deviceToken())
                .header("Accept", "application/pkcs7-mime").GET();
        if (state.lastEtag() != null) {
            req.header("If-None-Match", state.lastEtag());
        }
        HttpResponse<byte[]> r = send(req.build(), "payload fetch");
        if (r.statusCode() == 304) {
            boolean sent = false;
            if (state.reportPending()) {
                sent = tryReport(state);
            }
            return new SyncResult(SyncResult.Outcome.NOT_MODIFIED, version(state), List.of(), List.of(), List.of(),
                    sent);
        }
        if (r.statusCode() != 200) {
            throw httpError("payload fetch", r);
        }
        VerifiedPayload verified;
        try {
            verified = verifier.verify(r.body(), pinnedRoot(state), state.tenantId());
        } catch (PayloadVerificationException e) {
            throw new PayloadRejectedException(rejectionOf(e.reason()), e.detail(), e);
        }
        PayloadDocument doc = verified.document();
        checkAcceptable(state, doc);

        ReconciliationPlan plan = ReconciliationPlan.of(
                doc.certificates().stream().map(PayloadCertificate::sha256).toList(),
                new TreeSet<>(state.installed()), observe(doc));
        Applied applied = carryOut(plan, doc, state);
        Set<String> listed = doc.sha256Set();
        UUID group = state.deviceGroupId() != null ? state.deviceGroupId() : doc.deviceGroupId();
        AgentState next = state.accepted(group, doc.version(), doc.issuedAt(), List.copyOf(listed),
                r.headers().firstValue("ETag").orElse(null), applied.nowOwned(), applied.failures(), clock.instant())
                .withReportPending(true);
        store.save(next);
        boolean sent = tryReport(next);
        SyncResult.Outcome outcome = state.lastVersion() != null && state.lastVersion() == doc.version()
                ? SyncResult.Outcome.REFRESHED : SyncResult.Outcome.APPLIED;
        return new SyncResult(outcome, doc.version(), applied.added(), applied.removed(), applied.failures(), sent);
    }

    /** What the CA store holds for each certificate the payload lists. */
    private Map<String, LocalCaStore.Presence> observe(PayloadDocument doc) {
        Map<String, LocalCaStore.Presence> found = new HashMap<>();
        for (PayloadCertificate c : doc.certificates()) {
            found.put(c.sha256(), caStore.presence(c.sha256()));
        }
        return found;
    }

    /** What carrying out a plan did: the certificates written and removed, the failures and the owned set after. */
    private record Applied(List<String> added, List<String> removed, List<ReportFailure> failures,
            List<String> nowOwned) {
    }

    /** Carries out the plan on the CA store, journaling the owned set first; a failed step is reported, not thrown. */
    private Applied carryOut(ReconciliationPlan plan, PayloadDocument doc, AgentState state) {
        List<ReportFailure> failures = new ArrayList<>();
        for (String sha : plan.conflicts()) {
            failures.add(new ReportFailure(sha, "a different file occupies " + caStore.fileOf(sha).getFileName()));
        }
        if (!new TreeSet<>(plan.journal()).equals(new TreeSet<>(state.installed()))) {
            store.save(state.withInstalled(plan.journal()));
        }
        Map<String, X509Certificate> byId = new HashMap<>();
        doc.certificates().forEach(c -> byId.put(c.sha256(), c.certificate()));
        List<String> added = new ArrayList<>();
        Set<String> nowOwned = new TreeSet<>(plan.stillOwned());
        for (String sha : plan.install()) {
            try {
                caStore.install(byId.get(sha));
                added.add(sha);
                nowOwned.add(sha);
            } catch (IOException | RuntimeException e) {
                failures.add(new ReportFailure(sha, "install failed: " + e.getMessage()));
            }
        }
        List<String> removed = new ArrayList<>();
        for (String sha : plan.remove()) {
            try {
                caStore.uninstall(sha);
                removed.add(sha);
            } catch (IOException | RuntimeException e) {
                nowOwned.add(sha); // still ours, retry next time
                failures.add(new ReportFailure(sha, "remove failed: " + e.getMessage()));
            }
        }
        return new Applied(added, removed, failures, List.copyOf(nowOwned));
    }

    /** Posts the current report; throws {@link AgentException} when the server does not answer 2xx. */
    public void report() {
        AgentState state = requireState();
        sendReport(state);
        store.save(state.withReportPending(false));
    }

    /**
     * The report body: {@code payloadVersion} (0 before the first accepted payload), {@code installed} = the
     * certificates listed by the last payload or owned by the agent that are present in the CA directory (foreign
     * certificates outside that set are not reported), {@code failures} of the last reconciliation, {@code apiLevel}.
     */
    public DeviceReport reportBody(AgentState state) {
        Set<String> candidates = new TreeSet<>(state.lastListed());
        candidates.addAll(state.installed());
        List<String> installed = candidates.stream()
                .filter(sha -> caStore == null || caStore.presence(sha) == LocalCaStore.Presence.PRESENT)
                .toList();
        return new DeviceReport(version(state), installed, state.failures(), state.apiLevel());
    }

    private boolean tryReport(AgentState state) {
        try {
            sendReport(state);
            store.save(state.withReportPending(false));
            return true;
        } catch (AgentException e) {
            return false;
        }
    }

    private void sendReport(AgentState state) {
        URI uri = URI.create(stripSlash(state.baseUrl()) + "/api/v1/device/reports");
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + state.deviceToken())
                .header("Content-Type", JSON).header("Accept", JSON)
                .POST(HttpRequest.BodyPublishers.ofByteArray(json(reportBody(state)))).build(), "report");
        if (r.statusCode() / 100 != 2) {
            throw httpError("report", r);
        }
    }

    private void checkAcceptable(AgentState state, PayloadDocument doc) {
        if (state.deviceGroupId() != null && !state.deviceGroupId().equals(doc.deviceGroupId())) {
            throw new PayloadRejectedException(RejectionReason.WRONG_GROUP,
                    "payload is for device group " + doc.deviceGroupId() + ", this device is in "
                            + state.deviceGroupId());
        }
        Instant now = clock.instant();
        if (doc.isExpiredAt(now)) {
            throw new PayloadRejectedException(RejectionReason.EXPIRED,
                    "payload version " + doc.version() + " expired at " + doc.expiresAt());
        }
        Long last = state.lastVersion();
        if (last == null) {
            return;
        }
        if (doc.version() < last) {
            throw new PayloadRejectedException(RejectionReason.ROLLBACK,
                    "payload version " + doc.version() + " is lower than the accepted version " + last);
        }
        if (doc.version() == last) {
            if (!doc.sha256Set().equals(new TreeSet<>(state.lastListed()))) {
                throw new PayloadRejectedException(RejectionReason.ROLLBACK,
                        "payload version " + last + " re-delivered with a different certificate set");
            }
            if (state.lastIssuedAt() != null && doc.issuedAt().isBefore(state.lastIssuedAt())) {
                throw new PayloadRejectedException(RejectionReason.ROLLBACK,
                        "payload version " + last + " re-delivered with an older issuedAt");
            }
        }
    }

    /** The agent's reason for each verifier failure, named one by one so that neither enum depends on the other's names. */
    private static RejectionReason rejectionOf(VerificationFailure failure) {
        return switch (failure) {
            case MALFORMED -> RejectionReason.MALFORMED;
            case UNSUPPORTED_ALGORITHM -> RejectionReason.UNSUPPORTED_ALGORITHM;
            case UNTRUSTED_SIGNER -> RejectionReason.UNTRUSTED_SIGNER;
            case SIGNER_EXPIRED -> RejectionReason.SIGNER_EXPIRED;
            case BAD_SIGNATURE -> RejectionReason.BAD_SIGNATURE;
            case WRONG_TENANT -> RejectionReason.WRONG_TENANT;
        };
    }

    private AgentState requireState() {
        return store.load().orElseThrow(() -> new AgentException("not enrolled: no state in " + store.file()));
    }

    private static X509Certificate pinnedRoot(AgentState state) {
        try {
            return CertificateParser.parse(state.pinnedRootPem()).get(0);
        } catch (RuntimeException e) {
            throw new AgentException("pinned payload root in the state file is unreadable");
        }
    }

    private static long version(AgentState s) {
        return s.lastVersion() == null ? 0 : s.lastVersion();
    }

    private HttpResponse<byte[]> send(HttpRequest request, String what) {
        HttpRequest timed = HttpRequest.newBuilder(request, (n, v) -> true).timeout(requestTimeout).build();
        try {
            HttpResponse<InputStream> r = http.send(timed, HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (InputStream in = r.body()) {
                body = in.readNBytes(MAX_RESPONSE_BYTES + 1);
            }
            if (body.length > MAX_RESPONSE_BYTES) {
                throw new AgentException(what + " response larger than " + MAX_RESPONSE_BYTES + " bytes");
            }
            return new BufferedResponse(r, body);
        } catch (IOException e) {
            throw new AgentException(what + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException(what + " interrupted", e);
        }
    }

    private static AgentException httpError(String what, HttpResponse<byte[]> r) {
        String detail = "";
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (type.startsWith("application/problem+json") || type.startsWith(JSON)) {
            try {
                AgentMessages.Problem p = AgentStateStore.MAPPER.readValue(r.body(), AgentMessages.Problem.class);
                String title = p.title() == null ? "" : p.title();
                String d = p.detail() == null ? "" : p.detail();
                detail = (": " + title + (d.isEmpty() ? "" : " (" + d + ")")).replaceAll("\\p{Cntrl}", " ");
                if (detail.length() > 300) {
                    detail = detail.substring(0, 300) + "...";
                }
            } catch (IOException | RuntimeException e) {
                detail = "";
            }
        }
        String hint = r.statusCode() == 401 ? " (device token rejected: revoked or unknown device?)" : "";
        return new AgentException(what + " returned HTTP " + r.statusCode() + detail + hint, r.statusCode(), null);
    }

    private static byte[] json(Object value) {
        try {
            return AgentStateStore.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(JsonNode n, String field, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new AgentException("enrollment response lacks '" + field + "'");
            }
            return null;
        }
        if (!v.isTextual() || v.textValue().isEmpty()) {
            throw new AgentException("enrollment response field '" + field + "' is not a non-empty string");
        }
        return v.textValue();
    }

    private static UUID uuid(JsonNode n, String field, boolean required) {
        String s = text(n, field, required);
        try {
            return s == null ? null : UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            throw new AgentException("enrollment response field '" + field + "' is not a UUID");
        }
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** https anywhere; http only to loopback. */
    static URI checkedUri(String s) {
        URI u;
        try {
            u = URI.create(s);
        } catch (IllegalArgumentException e) {
            throw new AgentException("not a URL: " + s);
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (u.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new AgentException("not an http(s) URL: " + s);
        }
        if (scheme.equals("http") && !isLoopback(u.getHost())) {
            throw new AgentException("refusing plain http to a non-loopback host: " + u.getHost());
        }
        return u;
    }

    private static boolean isLoopback(String host) {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+") && !h.contains(":")) {
            return false; // do not resolve names
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    /** A response whose body was read with a size limit. */
    private record BufferedResponse(HttpResponse<InputStream> raw, byte[] body) implements HttpResponse<byte[]> {
        @Override public int statusCode() { return raw.statusCode(); }
        @Override public HttpRequest request() { return raw.request(); }
        @Override public Optional<HttpResponse<byte[]>> previousResponse() { return Optional.empty(); }
        @Override public java.net.http.HttpHeaders headers() { return raw.headers(); }
        @Override public Optional<javax.net.ssl.SSLSession> sslSession() { return raw.sslSession(); }
        @Override public URI uri() { return raw.uri(); }
        @Override public HttpClient.Version version() { return raw.version(); }
    }
}
