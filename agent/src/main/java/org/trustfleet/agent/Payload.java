package org.trustfleet.agent;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;
import org.json.JSONTokener;

/**
 * The agent's reading of a verified {@code trustfleet.payload/v1} document (docs/agent-protocol.md): strict about
 * what v1 requires, unknown fields ignored so that a later server may add some. Only the agent's view: the service
 * writes the document with its own classes, and the two meet on the wire only.
 */
final class Payload {

    static final String SCHEMA = "trustfleet.payload/v1";
    /** Upper bound on the document. */
    static final int MAX_BYTES = 16 * 1024 * 1024;

    final UUID tenantId;
    final UUID deviceGroupId;
    final long version;
    final String issuedAt;
    final long issuedAtNanos;
    final String expiresAt;
    final long expiresAtNanos;
    /** sha256 to certificate, in payload order. */
    final Map<String, X509Certificate> certificates;
    final List<PayloadEndpoint> endpoints;

    private Payload(UUID tenantId, UUID deviceGroupId, long version, String issuedAt, String expiresAt,
            Map<String, X509Certificate> certificates, List<PayloadEndpoint> endpoints) {
        this.tenantId = tenantId;
        this.deviceGroupId = deviceGroupId;
        this.version = version;
        this.issuedAt = issuedAt;
        this.issuedAtNanos = Iso8601.parseNanos(issuedAt);
        this.expiresAt = expiresAt;
        this.expiresAtNanos = Iso8601.parseNanos(expiresAt);
        this.certificates = Collections.unmodifiableMap(certificates);
        this.endpoints = Collections.unmodifiableList(endpoints);
    }

    List<String> listed() {
        return new ArrayList<String>(certificates.keySet());
    }

    Set<String> sha256Set() {
        return new TreeSet<String>(certificates.keySet());
    }

    boolean isExpiredAt(long nowMillis) {
        return expiresAtNanos < nowMillis * 1_000_000L;
    }

    /** Parses and validates; every problem is an IllegalArgumentException with a human message. */
    static Payload read(byte[] json) {
        if (json == null || json.length == 0 || json.length > MAX_BYTES) {
            throw new IllegalArgumentException("empty or oversized payload document");
        }
        try {
            JSONTokener t = new JSONTokener(new String(json, Certs.UTF8));
            Object v = t.nextValue();
            if (!(v instanceof JSONObject)) {
                throw new IllegalArgumentException("payload is not a JSON object");
            }
            if (t.nextClean() != 0) {
                throw new IllegalArgumentException("trailing data after the payload document");
            }
            JSONObject root = (JSONObject) v;
            String schema = Json.text(root, "schema");
            if (!SCHEMA.equals(schema)) {
                throw new IllegalArgumentException("unsupported payload schema '"
                        + (schema.length() > 60 ? schema.substring(0, 60) + "..." : schema) + "'");
            }
            UUID tenant = uuid(root, "tenantId");
            UUID group = uuid(root, "deviceGroupId");
            Object version = root.opt("version");
            if (!(version instanceof Integer || version instanceof Long) || ((Number) version).longValue() < 0) {
                throw new IllegalArgumentException("version must be a non-negative integer");
            }
            String issuedAt = Json.text(root, "issuedAt");
            String expiresAt = Json.text(root, "expiresAt");
            JSONArray certs = root.optJSONArray("certificates");
            if (certs == null) {
                throw new IllegalArgumentException("certificates must be an array");
            }
            Map<String, X509Certificate> byId = new LinkedHashMap<String, X509Certificate>();
            for (int i = 0; i < certs.length(); i++) {
                JSONObject c = certs.optJSONObject(i);
                if (c == null) {
                    throw new IllegalArgumentException("certificates[" + (i + 1) + "] is not an object");
                }
                String sha = Json.text(c, "sha256");
                String role = Json.text(c, "role");
                Json.text(c, "subject");
                Iso8601.parseNanos(Json.text(c, "notAfter"));
                if (!sha.equals(Certs.parseId(sha))) {
                    throw new IllegalArgumentException("certificates[" + (i + 1) + "]: sha256 must be 64 lowercase hex");
                }
                if (!role.equals("root") && !role.equals("intermediate")) {
                    throw new IllegalArgumentException("certificates[" + (i + 1) + "]: unknown role");
                }
                byte[] der = Certs.fromBase64(Json.text(c, "der"));
                if (!Certs.sha256Hex(der).equals(sha)) {
                    throw new IllegalArgumentException("certificates[" + (i + 1) + "]: SHA-256 of der does not match");
                }
                if (byId.put(sha, Certs.fromDer(der)) != null) {
                    throw new IllegalArgumentException("duplicate certificate " + sha);
                }
            }
            List<PayloadEndpoint> endpoints = new ArrayList<PayloadEndpoint>();
            if (root.has("endpoints") && !root.isNull("endpoints")) {
                JSONArray es = root.optJSONArray("endpoints");
                if (es == null) {
                    throw new IllegalArgumentException("endpoints must be an array");
                }
                Set<UUID> seen = new HashSet<UUID>();
                for (int i = 0; i < es.length(); i++) {
                    JSONObject e = es.optJSONObject(i);
                    if (e == null) {
                        throw new IllegalArgumentException("endpoints[" + (i + 1) + "] is not an object");
                    }
                    PayloadEndpoint p = PayloadEndpoint.fromJson(e);
                    if (seen.add(p.endpointId())) {
                        endpoints.add(p);
                    }
                }
            }
            Payload p = new Payload(tenant, group, ((Number) version).longValue(), issuedAt, expiresAt, byId,
                    endpoints);
            if (p.expiresAtNanos <= p.issuedAtNanos) {
                throw new IllegalArgumentException("expiresAt must be after issuedAt");
            }
            return p;
        } catch (JSONException e) {
            throw new IllegalArgumentException("payload is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static UUID uuid(JSONObject o, String field) {
        String s = Json.text(o, field);
        try {
            UUID u = UUID.fromString(s);
            if (!u.toString().equals(s.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("not canonical");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field '" + field + "' is not a UUID");
        }
    }
}
