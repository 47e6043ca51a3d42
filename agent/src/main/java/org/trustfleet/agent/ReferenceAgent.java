package org.trustfleet.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * The device agent: what an Android device-policy controller does with Trustfleet, over a pluggable {@link CaStore}
 * ({@code DevicePolicyManager} on a device, a directory for the reference agent) and {@link AgentStateStore}.
 * {@link #enroll}, {@link #sync()} (fetch with If-None-Match, verify against the pinned signer chain, refuse rollback
 * and freeze, reconcile, report, then verify the group's endpoints and report the device's observations),
 * {@link #report()}, {@link #state()}. Not thread-safe: one agent per state at a time (a WorkManager unique work).
 *
 * <p>Plain {@code http://} is accepted only for loopback hosts; anything else must be {@code https://} (the payload
 * is signed, but the device token is a bearer credential).
 */
public final class ReferenceAgent {

    /** Agent version sent at enrollment. */
    public static final String AGENT_VERSION = "trustfleet-agent/1";
    /** Larger responses are refused. */
    public static final int MAX_RESPONSE_BYTES = PayloadVerifier.MAX_CMS_BYTES;
    /** Endpoints are verified again on an unchanged payload once this much time has passed. */
    public static final long DEFAULT_REVERIFY_MILLIS = 6L * 60 * 60 * 1000;
    private static final String JSON = "application/json";

    private final AgentStateStore store;
    private final CaStore caStore;
    private final TimeSource clock;
    private int connectTimeoutMillis = 10_000;
    private int readTimeoutMillis = 30_000;
    private EndpointVerifier endpointVerifier;
    private ObservationSource observations;
    private long reverifyMillis = DEFAULT_REVERIFY_MILLIS;

    /**
     * @param store   where the agent's state lives
     * @param caStore the CA store to reconcile; may be null for an agent that only enrolls
     * @param clock   the device clock (payload expiry, certificate validity)
     */
    public ReferenceAgent(AgentStateStore store, CaStore caStore, TimeSource clock) {
        if (store == null || clock == null) {
            throw new IllegalArgumentException("a state store and a clock are needed");
        }
        this.store = store;
        this.caStore = caStore;
        this.clock = clock;
    }

    /**
     * After each applied payload (and on an unchanged one every {@code reverifyMillis}), check the payload's
     * endpoints with {@code verifier} and post the results. Null: no verification.
     */
    public ReferenceAgent verifyEndpointsWith(EndpointVerifier verifier, long reverifyMillis) {
        this.endpointVerifier = verifier;
        this.reverifyMillis = reverifyMillis;
        return this;
    }

    /** On every sync, post the device facts and system store from {@code source} when they changed. Null: never. */
    public ReferenceAgent observeWith(ObservationSource source) {
        this.observations = source;
        return this;
    }

    /** HTTP timeouts (defaults 10 s to connect, 30 s to read). */
    public ReferenceAgent timeouts(int connectMillis, int readMillis) {
        this.connectTimeoutMillis = connectMillis;
        this.readTimeoutMillis = readMillis;
        return this;
    }

    /** The saved state, or null when not enrolled. */
    public AgentState stateOrNull() {
        return store.loadOrNull();
    }

    /** The saved state, if enrolled. */
    public java.util.Optional<AgentState> state() {
        return java.util.Optional.ofNullable(store.loadOrNull());
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
        if (baseUrl == null || enrollmentToken == null || hardwareId == null) {
            throw new IllegalArgumentException("baseUrl, enrollmentToken and hardwareId are needed");
        }
        URI base = checkedUri(stripSlash(baseUrl));
        JSONObject body = new JSONObject().put("enrollmentToken", enrollmentToken).put("hardwareId", hardwareId)
                .put("apiLevel", apiLevel).put("agentVersion", AGENT_VERSION);
        Response r = send("POST", base + "/api/v1/enroll", null, body, null, "enrollment");
        if (r.status != 201 && r.status != 200) {
            throw httpError("enrollment", r);
        }
        JSONObject resp;
        try {
            resp = new JSONObject(new String(r.body, Certs.UTF8));
        } catch (JSONException e) {
            throw new AgentException("enrollment response is not JSON");
        }
        UUID deviceId = uuid(resp, "deviceId", true);
        String token = text(resp, "deviceToken", true);
        String chainPem = text(resp, "payloadSignerChain", true);
        String payloadUrl = text(resp, "payloadUrl", true);
        UUID group = uuid(resp, "deviceGroupId", false);

        List<X509Certificate> chain;
        try {
            chain = Certs.parsePem(chainPem.getBytes(Certs.ASCII));
        } catch (RuntimeException e) {
            throw new AgentException("payloadSignerChain is not a PEM certificate chain");
        }
        if (chain.size() < 2) {
            throw new AgentException("payloadSignerChain must hold the signer and the payload root");
        }
        X509Certificate signer = chain.get(0);
        X509Certificate root = chain.get(chain.size() - 1);
        if (!Certs.isSelfSigned(root) || !Certs.isCa(root)) {
            throw new AgentException("last certificate of payloadSignerChain is not a self-signed CA");
        }
        if (!Certs.isIssuedBy(signer, root)) {
            throw new AgentException("payload signer is not issued by the payload root");
        }
        if (expectedRootSha256 != null) {
            String expected = Certs.parseId(expectedRootSha256.replace(":", ""));
            if (!Certs.sha256(root).equals(expected)) {
                throw new AgentException("payload root " + Certs.sha256(root) + " is not the expected one");
            }
        }
        UUID tenant = Certs.tenantOf(signer);
        if (tenant == null) {
            throw new AgentException("payload signer certificate names no tenant");
        }
        UUID claimed = uuid(resp, "tenantId", false);
        if (claimed != null && !claimed.equals(tenant)) {
            throw new AgentException("enrollment tenantId differs from the signer certificate's tenant");
        }
        URI payload = checkedUri(base.resolve(payloadUrl).toString());
        AgentState previous = store.loadOrNull();
        List<String> keepInstalled = previous == null ? new ArrayList<String>() : previous.installed();
        AgentState state = new AgentState(AgentState.FORMAT, base.toString(), payload.toString(), deviceId, token,
                hardwareId, apiLevel, tenant, group, Certs.toPem(java.util.Collections.singletonList(root)), null,
                null, null, null, keepInstalled, null, false, null);
        store.save(state);
        return state;
    }

    /**
     * Fetch, verify, check group/freshness/rollback, plan the reconciliation ({@link ReconciliationPlan}, pure),
     * carry it out on the CA store, save, report; then verify the endpoints and post observations when due (their
     * delivery failures never fail the sync). Throws {@link PayloadRejectedException} (store and state untouched)
     * or {@link AgentException}.
     */
    public SyncResult sync() {
        if (caStore == null) {
            throw new IllegalStateException("no CA store configured");
        }
        AgentState state = requireState();
        Map<String, String> headers = new HashMap<String, String>();
        headers.put("Accept", "application/pkcs7-mime");
        if (state.lastEtag() != null) {
            headers.put("If-None-Match", state.lastEtag());
        }
        Response r = send("GET", state.payloadUrl(), state.deviceToken(), null, headers, "payload fetch");
        if (r.status == 304) {
            boolean sent = false;
            if (state.reportPending()) {
                sent = tryReport(state);
            }
            List<EndpointCheck> checks = afterSync(false);
            return new SyncResult(SyncResult.Outcome.NOT_MODIFIED, version(state), new ArrayList<String>(),
                    new ArrayList<String>(), new ArrayList<ReportFailure>(), sent, checks);
        }
        if (r.status != 200) {
            throw httpError("payload fetch", r);
        }
        Payload doc = PayloadVerifier.verify(r.body, pinnedRoot(state), state.tenantId(), clock.currentTimeMillis());
        checkAcceptable(state, doc);

        ReconciliationPlan plan = ReconciliationPlan.of(doc.listed(), new TreeSet<String>(state.installed()),
                observe(doc));
        Applied applied = carryOut(plan, doc, state);
        UUID group = state.deviceGroupId() != null ? state.deviceGroupId() : doc.deviceGroupId;
        AgentState next = state.accepted(group, doc.version, doc.issuedAt, new ArrayList<String>(doc.sha256Set()),
                r.etag, applied.nowOwned, applied.failures, Iso8601.format(clock.currentTimeMillis()), doc.endpoints)
                .withReportPending(true);
        store.save(next);
        boolean sent = tryReport(next);
        SyncResult.Outcome outcome = state.lastVersion() != null && state.lastVersion().longValue() == doc.version
                ? SyncResult.Outcome.REFRESHED : SyncResult.Outcome.APPLIED;
        List<EndpointCheck> checks = afterSync(true);
        return new SyncResult(outcome, doc.version, applied.added, applied.removed, applied.failures, sent, checks);
    }

    /** Endpoint verification (when due) and observations (when changed); failures to deliver wait for next time. */
    private List<EndpointCheck> afterSync(boolean applied) {
        List<EndpointCheck> checks = new ArrayList<EndpointCheck>();
        AgentState s = requireState();
        if (endpointVerifier != null && !s.lastEndpoints().isEmpty()) {
            Long last = s.lastVerifiedAtMillis();
            if (applied || last == null || clock.currentTimeMillis() - last.longValue() >= reverifyMillis) {
                try {
                    checks = verifyEndpoints();
                } catch (AgentException e) {
                    // not delivered: lastVerifiedAt stays, so the next sync verifies again
                }
            }
        }
        if (observations != null) {
            try {
                sendObservation(false);
            } catch (AgentException e) {
                // not delivered: the digest stays, so the next sync sends again
            }
        }
        return checks;
    }

    /**
     * Checks every endpoint of the last accepted payload from this device and posts the results to
     * {@code /api/v1/device/verifications}; returns them. Throws {@link AgentException} when not delivered.
     */
    public List<EndpointCheck> verifyEndpoints() {
        if (endpointVerifier == null) {
            throw new IllegalStateException("no endpoint verifier configured");
        }
        AgentState s = requireState();
        List<EndpointCheck> checks = endpointVerifier.verifyAll(s.lastEndpoints());
        if (checks.isEmpty()) {
            return checks;
        }
        JSONArray results = new JSONArray();
        for (EndpointCheck c : checks) {
            results.put(c.toJson());
        }
        JSONObject body = new JSONObject().put("payloadVersion", version(s)).put("results", results);
        Response r = send("POST", stripSlash(s.baseUrl()) + "/api/v1/device/verifications", s.deviceToken(), body,
                null, "verification report");
        if (r.status / 100 != 2) {
            throw httpError("verification report", r);
        }
        store.save(requireState().withVerifiedAt(Long.valueOf(clock.currentTimeMillis())));
        return checks;
    }

    /**
     * Posts the device facts and system store to {@code /api/v1/device/observations} when they differ from the last
     * delivered ones (or always, with {@code force}); returns whether it posted. Throws {@link AgentException} when
     * not delivered.
     */
    public boolean sendObservation(boolean force) {
        if (observations == null) {
            throw new IllegalStateException("no observation source configured");
        }
        AgentState s = requireState();
        List<String> system;
        try {
            system = new ArrayList<String>(new TreeSet<String>(observations.systemStoreSha256()));
        } catch (IOException e) {
            throw new AgentException("cannot read the system CA store: " + e.getMessage(), e);
        }
        JSONObject body = observationBody(observations.facts(), system);
        String digest = Certs.sha256Hex(body.toString().getBytes(Certs.UTF8));
        if (!force && digest.equals(s.observationDigest())) {
            return false;
        }
        Response r = send("POST", stripSlash(s.baseUrl()) + "/api/v1/device/observations", s.deviceToken(), body,
                null, "observation");
        if (r.status / 100 != 2) {
            throw httpError("observation", r);
        }
        store.save(requireState().withObservationDigest(digest));
        return true;
    }

    /** The observation body; fields in a fixed order (facts, systemStore sorted) so its digest is stable. */
    static JSONObject observationBody(DeviceFacts facts, List<String> sortedSystemStore) {
        return new JSONObject().put("facts", facts.toJson()).put("systemStore", new JSONArray(sortedSystemStore));
    }

    /** What the CA store holds for each certificate the payload lists. */
    private Map<String, CaStore.Presence> observe(Payload doc) {
        Map<String, CaStore.Presence> found = new HashMap<String, CaStore.Presence>();
        for (String sha : doc.certificates.keySet()) {
            found.put(sha, caStore.presence(sha));
        }
        return found;
    }

    /** What carrying out a plan did. */
    private static final class Applied {
        final List<String> added;
        final List<String> removed;
        final List<ReportFailure> failures;
        final List<String> nowOwned;

        Applied(List<String> added, List<String> removed, List<ReportFailure> failures, List<String> nowOwned) {
            this.added = added;
            this.removed = removed;
            this.failures = failures;
            this.nowOwned = nowOwned;
        }
    }

    /** Carries out the plan on the CA store, journaling the owned set first; a failed step is reported, not thrown. */
    private Applied carryOut(ReconciliationPlan plan, Payload doc, AgentState state) {
        List<ReportFailure> failures = new ArrayList<ReportFailure>();
        for (String sha : plan.conflicts()) {
            failures.add(new ReportFailure(sha, "a different certificate occupies " + caStore.describe(sha)));
        }
        if (!new TreeSet<String>(plan.journal()).equals(new TreeSet<String>(state.installed()))) {
            store.save(state.withInstalled(plan.journal()));
        }
        List<String> added = new ArrayList<String>();
        Set<String> nowOwned = new TreeSet<String>(plan.stillOwned());
        for (String sha : plan.install()) {
            try {
                caStore.install(doc.certificates.get(sha));
                added.add(sha);
                nowOwned.add(sha);
            } catch (IOException | RuntimeException e) {
                failures.add(new ReportFailure(sha, "install failed: " + e.getMessage()));
            }
        }
        List<String> removed = new ArrayList<String>();
        for (String sha : plan.remove()) {
            try {
                caStore.uninstall(sha);
                removed.add(sha);
            } catch (IOException | RuntimeException e) {
                nowOwned.add(sha); // still ours, retry next time
                failures.add(new ReportFailure(sha, "remove failed: " + e.getMessage()));
            }
        }
        return new Applied(added, removed, failures, new ArrayList<String>(nowOwned));
    }

    /** Posts the current report; throws {@link AgentException} when the server does not answer 2xx. */
    public void report() {
        AgentState state = requireState();
        sendReport(state);
        store.save(state.withReportPending(false));
    }

    /**
     * The report body: {@code payloadVersion} (0 before the first accepted payload), {@code installed} = the
     * certificates listed by the last payload or owned by the agent that are present in the CA store (foreign
     * certificates outside that set are not reported), {@code failures} of the last reconciliation, {@code apiLevel}.
     */
    public DeviceReport reportBody(AgentState state) {
        Set<String> candidates = new TreeSet<String>(state.lastListed());
        candidates.addAll(state.installed());
        List<String> installed = new ArrayList<String>();
        for (String sha : candidates) {
            if (caStore == null || caStore.presence(sha) == CaStore.Presence.PRESENT) {
                installed.add(sha);
            }
        }
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
        Response r = send("POST", stripSlash(state.baseUrl()) + "/api/v1/device/reports", state.deviceToken(),
                reportBody(state).toJson(), null, "report");
        if (r.status / 100 != 2) {
            throw httpError("report", r);
        }
    }

    private void checkAcceptable(AgentState state, Payload doc) {
        if (state.deviceGroupId() != null && !state.deviceGroupId().equals(doc.deviceGroupId)) {
            throw new PayloadRejectedException(RejectionReason.WRONG_GROUP,
                    "payload is for device group " + doc.deviceGroupId + ", this device is in "
                            + state.deviceGroupId());
        }
        if (doc.isExpiredAt(clock.currentTimeMillis())) {
            throw new PayloadRejectedException(RejectionReason.EXPIRED,
                    "payload version " + doc.version + " expired at " + doc.expiresAt);
        }
        Long last = state.lastVersion();
        if (last == null) {
            return;
        }
        if (doc.version < last.longValue()) {
            throw new PayloadRejectedException(RejectionReason.ROLLBACK,
                    "payload version " + doc.version + " is lower than the accepted version " + last);
        }
        if (doc.version == last.longValue()) {
            if (!doc.sha256Set().equals(new TreeSet<String>(state.lastListed()))) {
                throw new PayloadRejectedException(RejectionReason.ROLLBACK,
                        "payload version " + last + " re-delivered with a different certificate set");
            }
            if (state.lastIssuedAt() != null && doc.issuedAtNanos < issuedNanos(state.lastIssuedAt())) {
                throw new PayloadRejectedException(RejectionReason.ROLLBACK,
                        "payload version " + last + " re-delivered with an older issuedAt");
            }
        }
    }

    private static long issuedNanos(String text) {
        try {
            return Iso8601.parseNanos(text);
        } catch (IllegalArgumentException e) {
            return Long.MIN_VALUE;
        }
    }

    private AgentState requireState() {
        AgentState s = store.loadOrNull();
        if (s == null) {
            throw new AgentException("not enrolled: no state in " + store.describe());
        }
        return s;
    }

    private static X509Certificate pinnedRoot(AgentState state) {
        try {
            return Certs.parsePem(state.pinnedRootPem().getBytes(Certs.ASCII)).get(0);
        } catch (RuntimeException e) {
            throw new AgentException("pinned payload root in the state file is unreadable");
        }
    }

    private static long version(AgentState s) {
        return s.lastVersion() == null ? 0 : s.lastVersion().longValue();
    }

    /** A response read with a size limit. */
    private static final class Response {
        final int status;
        final byte[] body;
        final String contentType;
        final String etag;

        Response(int status, byte[] body, String contentType, String etag) {
            this.status = status;
            this.body = body;
            this.contentType = contentType == null ? "" : contentType;
            this.etag = etag;
        }
    }

    private Response send(String method, String url, String bearer, JSONObject json, Map<String, String> headers,
            String what) {
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) new URL(url).openConnection();
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            c.setConnectTimeout(connectTimeoutMillis);
            c.setReadTimeout(readTimeoutMillis);
            c.setRequestMethod(method);
            if (bearer != null) {
                c.setRequestProperty("Authorization", "Bearer " + bearer);
            }
            if (headers != null) {
                for (Map.Entry<String, String> h : headers.entrySet()) {
                    c.setRequestProperty(h.getKey(), h.getValue());
                }
            }
            if (json != null) {
                byte[] body = json.toString().getBytes(Certs.UTF8);
                c.setRequestProperty("Content-Type", JSON);
                c.setRequestProperty("Accept", JSON);
                // buffered, not streaming: the JDK keeps a 401's error body only for a buffered request
                c.setDoOutput(true);
                OutputStream out = c.getOutputStream();
                try {
                    out.write(body);
                } finally {
                    out.close();
                }
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : (status == 304 || status == 204 ? null
                    : c.getInputStream());
            byte[] body = readLimited(in, what);
            return new Response(status, body, c.getContentType(), c.getHeaderField("ETag"));
        } catch (IOException e) {
            throw new AgentException(what + " failed: " + e.getMessage(), e);
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    private static byte[] readLimited(InputStream in, String what) throws IOException {
        if (in == null) {
            return new byte[0];
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[16384];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                if (out.size() > MAX_RESPONSE_BYTES) {
                    throw new AgentException(what + " response larger than " + MAX_RESPONSE_BYTES + " bytes");
                }
            }
            return out.toByteArray();
        } finally {
            in.close();
        }
    }

    private static AgentException httpError(String what, Response r) {
        String detail = "";
        if (r.contentType.startsWith("application/problem+json") || r.contentType.startsWith(JSON)) {
            try {
                JSONObject p = new JSONObject(new String(r.body, Certs.UTF8));
                String title = p.optString("title", "");
                String d = p.optString("detail", "");
                detail = (": " + title + (d.isEmpty() ? "" : " (" + d + ")")).replaceAll("\\p{Cntrl}", " ");
                if (detail.length() > 300) {
                    detail = detail.substring(0, 300) + "...";
                }
            } catch (JSONException e) {
                detail = "";
            }
        }
        String hint = r.status == 401 ? " (device token rejected: revoked or unknown device?)" : "";
        return new AgentException(what + " returned HTTP " + r.status + detail + hint, r.status, null);
    }

    private static String text(JSONObject n, String field, boolean required) {
        if (!n.has(field) || n.isNull(field)) {
            if (required) {
                throw new AgentException("enrollment response lacks '" + field + "'");
            }
            return null;
        }
        Object v = n.opt(field);
        if (!(v instanceof String) || ((String) v).isEmpty()) {
            throw new AgentException("enrollment response field '" + field + "' is not a non-empty string");
        }
        return (String) v;
    }

    private static UUID uuid(JSONObject n, String field, boolean required) {
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
            u = new URI(s);
        } catch (URISyntaxException e) {
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
}
