package org.trustfleet.payload;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.trustfleet.policy.CertificateRole;

/**
 * Canonical JSON for {@link PayloadDocument}: UTF-8, no whitespace, fields in the fixed order
 * {@code schema, tenantId, deviceGroupId, version, issuedAt, expiresAt, certificates, endpoints}, per certificate
 * {@code sha256, role, der, subject, notAfter} and per endpoint {@code endpointId, host, port, serverName, protocol}
 * ({@code serverName} left out when the endpoint has none); instants as ISO-8601 UTC with {@code Z}
 * ({@link DateTimeFormatter#ISO_INSTANT}: fractional seconds only when non-zero); UUIDs lowercase. Writing the same
 * document twice yields the same bytes.
 *
 * <p>Reading is strict about what v1 requires (schema, every field present with the right JSON type, duplicate keys
 * rejected, {@code sha256} = SHA-256 of {@code der}, {@code der} a single DER certificate) and ignores unknown extra
 * fields, so that a later v1 server may add informational fields. {@code endpoints} came later in v1: a document
 * without it reads as one with no endpoints.
 */
public final class PayloadJson {

    /** Upper bound on a document accepted by {@link #read}. */
    public static final int MAX_BYTES = 16 * 1024 * 1024;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private PayloadJson() {
    }

    /** Canonical UTF-8 bytes of the document. */
    public static byte[] write(PayloadDocument doc) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + doc.certificates().size() * 2048);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("schema", doc.schema());
            g.writeStringField("tenantId", doc.tenantId().toString());
            g.writeStringField("deviceGroupId", doc.deviceGroupId().toString());
            g.writeNumberField("version", doc.version());
            g.writeStringField("issuedAt", instant(doc.issuedAt()));
            g.writeStringField("expiresAt", instant(doc.expiresAt()));
            g.writeArrayFieldStart("certificates");
            for (PayloadCertificate c : doc.certificates()) {
                g.writeStartObject();
                g.writeStringField("sha256", c.sha256());
                g.writeStringField("role", roleJson(c.role()));
                g.writeStringField("der", c.der());
                g.writeStringField("subject", c.subject());
                g.writeStringField("notAfter", instant(c.notAfter()));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("endpoints");
            for (PayloadEndpoint e : doc.endpoints()) {
                g.writeStartObject();
                g.writeStringField("endpointId", e.endpointId().toString());
                g.writeStringField("host", e.host());
                g.writeNumberField("port", e.port());
                if (e.serverName() != null) {
                    g.writeStringField("serverName", e.serverName());
                }
                g.writeStringField("protocol", e.protocol());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Parses and validates; every problem is a {@link PayloadFormatException}. */
    public static PayloadDocument read(byte[] json) {
        if (json == null || json.length == 0) {
            throw new PayloadFormatException("empty payload document");
        }
        if (json.length > MAX_BYTES) {
            throw new PayloadFormatException("payload document larger than " + MAX_BYTES + " bytes");
        }
        JsonNode root;
        try (JsonParser p = MAPPER.createParser(json)) {
            root = MAPPER.readTree(p);
        } catch (JsonProcessingException e) {
            throw new PayloadFormatException("payload is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new PayloadFormatException("payload is not valid JSON", e);
        }
        if (root == null || !root.isObject()) {
            throw new PayloadFormatException("payload is not a JSON object");
        }
        String schema = text(root, "schema");
        if (!PayloadDocument.SCHEMA.equals(schema)) {
            throw new PayloadFormatException("unsupported payload schema '" + abbreviate(schema) + "'");
        }
        UUID tenant = uuid(root, "tenantId");
        UUID group = uuid(root, "deviceGroupId");
        JsonNode v = required(root, "version");
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new PayloadFormatException("version must be an integer");
        }
        Instant issuedAt = instant(root, "issuedAt");
        Instant expiresAt = instant(root, "expiresAt");
        JsonNode certs = required(root, "certificates");
        if (!certs.isArray()) {
            throw new PayloadFormatException("certificates must be an array");
        }
        List<PayloadCertificate> list = new ArrayList<>(certs.size());
        int i = 0;
        for (JsonNode c : certs) {
            i++;
            if (!c.isObject()) {
                throw new PayloadFormatException("certificates[" + i + "] is not an object");
            }
            try {
                PayloadCertificate pc = new PayloadCertificate(text(c, "sha256"),
                        role(text(c, "role")), text(c, "der"), text(c, "subject"),
                        instant(c, "notAfter"));
                pc.certificate(); // must be exactly one DER certificate
                list.add(pc);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new PayloadFormatException("certificates[" + i + "]: " + e.getMessage(), e);
            }
        }
        List<PayloadEndpoint> endpoints = endpoints(root.get("endpoints"));
        try {
            return new PayloadDocument(schema, tenant, group, v.longValue(), issuedAt, expiresAt, list, endpoints);
        } catch (IllegalArgumentException e) {
            throw new PayloadFormatException(e.getMessage(), e);
        }
    }

    private static List<PayloadEndpoint> endpoints(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new PayloadFormatException("endpoints must be an array");
        }
        List<PayloadEndpoint> out = new ArrayList<>(node.size());
        int i = 0;
        for (JsonNode e : node) {
            i++;
            if (!e.isObject()) {
                throw new PayloadFormatException("endpoints[" + i + "] is not an object");
            }
            JsonNode port = required(e, "port");
            if (!port.isIntegralNumber() || !port.canConvertToInt()) {
                throw new PayloadFormatException("endpoints[" + i + "]: port must be an integer");
            }
            JsonNode serverName = e.get("serverName");
            if (serverName != null && !serverName.isNull() && !serverName.isTextual()) {
                throw new PayloadFormatException("endpoints[" + i + "]: field 'serverName' must be a string");
            }
            try {
                out.add(new PayloadEndpoint(uuid(e, "endpointId"), text(e, "host"), port.intValue(),
                        serverName == null || serverName.isNull() ? null : serverName.textValue(),
                        text(e, "protocol")));
            } catch (IllegalArgumentException ex) {
                throw new PayloadFormatException("endpoints[" + i + "]: " + ex.getMessage(), ex);
            }
        }
        return out;
    }

    /** The JSON spelling of a role: {@code "root"} or {@code "intermediate"}. */
    public static String roleJson(CertificateRole role) {
        return role.name().toLowerCase(Locale.ROOT);
    }

    /** Parses the JSON spelling of a role (exact, lowercase). */
    public static CertificateRole role(String value) {
        for (CertificateRole r : CertificateRole.values()) {
            if (roleJson(r).equals(value)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown certificate role: " + (value == null ? "null"
                : value.length() > 40 ? value.substring(0, 40) + "..." : value.toLowerCase(Locale.ROOT)));
    }

    static String instant(Instant i) {
        return DateTimeFormatter.ISO_INSTANT.format(i);
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new PayloadFormatException("missing field '" + field + "'");
        }
        return v;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = required(node, field);
        if (!v.isTextual()) {
            throw new PayloadFormatException("field '" + field + "' must be a string");
        }
        return v.textValue();
    }

    private static UUID uuid(JsonNode node, String field) {
        String s = text(node, field);
        try {
            UUID u = UUID.fromString(s);
            if (!u.toString().equals(s.toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException("not canonical");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new PayloadFormatException("field '" + field + "' is not a UUID");
        }
    }

    private static Instant instant(JsonNode node, String field) {
        String s = text(node, field);
        if (!s.endsWith("Z")) {
            throw new PayloadFormatException("field '" + field + "' must be an ISO-8601 UTC instant ending in Z");
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new PayloadFormatException("field '" + field + "' is not an ISO-8601 instant");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
