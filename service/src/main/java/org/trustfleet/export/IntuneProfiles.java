package org.trustfleet.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.Sha256;

/**
 * Microsoft Intune trusted-certificate profiles (Graph beta) for a tenant's sets, and the Graph JSON {@code $batch}
 * bodies that bring a tenant's Intune in line: one profile per certificate and profile type for the whole tenant,
 * assigned to the Entra groups of every device group that needs it, deleted when no group needs it any more.
 *
 * <p>Graph assigns profile ids and a batch cannot refer to the result of another request, so the plan works from
 * the tenant's current Trustfleet profiles as Graph lists them: profiles that do not exist yet are created (and
 * assigned on the next run, once they have ids); existing ones get the missing assignments. A profile is
 * recognised by the marker in its description, which carries the certificate's SHA-256 and the requirements
 * version it was made from.
 */
public final class IntuneProfiles {
    /** Graph's limit of requests in one JSON batch. */
    public static final int MAX_BATCH = 20;
    /** Prefix of Trustfleet's profiles' display names (what a Graph {@code $filter} can select on). */
    public static final String DISPLAY_PREFIX = "Trustfleet ";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MARKER = "trustfleet:sha256=";
    private static final Pattern MARKER_PATTERN = Pattern.compile("trustfleet:sha256=([0-9a-f]{64});version=(\\d+)");
    // Graph ids go into request URLs: only what Graph's own ids are made of
    private static final Pattern GRAPH_ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    private static final String CONFIGURATIONS = "/deviceManagement/deviceConfigurations";

    /** A profile Trustfleet wants somewhere in the tenant: this certificate with this type. */
    public record Key(String sha256, IntuneProfileType type) {}

    /** A Trustfleet profile that exists in Intune, read from a Graph listing. */
    public record Existing(String id, Key key, List<Assignment> assignments) {
        public Existing {
            assignments = List.copyOf(assignments);
        }
    }

    /** What a profile's description marker carries: its certificate and the requirements version it was made from. */
    public record Marker(String sha256, long version) {}

    /** An assignment of an existing profile to an Entra group. */
    public record Assignment(String id, String groupId) {}

    /**
     * What one device group asks for.
     *
     * @param type         the group's profile type
     * @param certificates the group's set
     * @param version      the group's requirements version (goes into the marker of profiles it creates)
     * @param assignTo     Entra group ids the group's devices are in
     * @param tenantNeeds  every (certificate, type) that some group of the tenant needs, this group included
     */
    public record Request(IntuneProfileType type, List<X509Certificate> certificates, long version,
            List<String> assignTo, Set<Key> tenantNeeds) {
        public Request {
            certificates = List.copyOf(certificates);
            assignTo = List.copyOf(assignTo);
            tenantNeeds = Set.copyOf(tenantNeeds);
        }
    }

    private IntuneProfiles() {}

    /** One profile body for {@code POST /deviceManagement/deviceConfigurations}. */
    public static ObjectNode profile(X509Certificate certificate, IntuneProfileType type, long version) {
        String sha256 = Sha256.of(certificate);
        ObjectNode profile = JSON.createObjectNode();
        profile.put("@odata.type", type.odataType());
        profile.put("displayName", DISPLAY_PREFIX + commonName(certificate) + " [" + sha256.substring(0, 16) + "]");
        profile.put("description", MARKER + sha256 + ";version=" + version + ". " + UserStoreCaveat.SENTENCE);
        profile.put("certFileName", sha256.substring(0, 16) + ".cer");
        profile.put("trustedRootCertificate", Base64.getEncoder().encodeToString(CertificateEncoder.der(certificate)));
        return profile;
    }

    /** The certificate fingerprint and requirements version a description's marker carries, if it has one. */
    public static Optional<Marker> marker(String description) {
        if (description == null) {
            return Optional.empty();
        }
        Matcher m = MARKER_PATTERN.matcher(description);
        if (!m.find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Marker(m.group(1), Long.parseLong(m.group(2))));
        } catch (NumberFormatException e) {
            return Optional.empty(); // more digits than a version has: not a marker Trustfleet wrote
        }
    }

    /**
     * Reads Graph's answer to {@code GET /deviceManagement/deviceConfigurations?$expand=assignments} (an object
     * with {@code value}, or the {@code value} array itself); entries without Trustfleet's marker or of another
     * type are not Trustfleet's and are skipped.
     */
    public static List<Existing> readListing(JsonNode listing) {
        JsonNode values = listing == null ? null : listing.isArray() ? listing : listing.get("value");
        if (values == null || !values.isArray()) {
            throw TrustfleetException.validation("the body must be Graph's device configuration listing: an object"
                    + " with a 'value' array (or that array)");
        }
        List<Existing> out = new ArrayList<>();
        for (JsonNode entry : values) {
            if (!entry.isObject()) {
                throw TrustfleetException.validation("every entry of 'value' must be an object");
            }
            Optional<Marker> marker = marker(entry.path("description").asText(null));
            Optional<IntuneProfileType> type = IntuneProfileType.fromOdataType(entry.path("@odata.type").asText(null));
            if (marker.isEmpty() || type.isEmpty()) {
                continue;
            }
            String id = graphId(entry.path("id").asText(""), "'value[].id'");
            List<Assignment> assignments = new ArrayList<>();
            for (JsonNode a : entry.path("assignments")) {
                String groupId = a.path("target").path("groupId").asText(null);
                if (groupId != null) {
                    assignments.add(new Assignment(graphId(a.path("id").asText(""), "'value[].assignments[].id'"),
                            groupId.toLowerCase(Locale.ROOT)));
                }
            }
            out.add(new Existing(id, new Key(marker.get().sha256(), type.get()), assignments));
        }
        return out;
    }

    /**
     * The Graph JSON batch bodies (each at most {@value #MAX_BATCH} requests) that bring the tenant's Intune in line
     * with this group: delete profiles no group needs (and duplicates), drop this group's Entra assignments from
     * profiles it no longer needs, create its missing profiles, add its missing assignments.
     */
    public static List<ObjectNode> batches(Request request, List<Existing> existing) {
        List<ObjectNode> requests = new ArrayList<>();
        Map<Key, Existing> kept = new LinkedHashMap<>();
        for (Existing e : existing) {
            if (!request.tenantNeeds().contains(e.key()) || kept.containsKey(e.key())) {
                requests.add(call("DELETE", CONFIGURATIONS + "/" + e.id(), null));
            } else {
                kept.put(e.key(), e);
            }
        }
        Set<Key> mine = new HashSet<>();
        request.certificates().forEach(c -> mine.add(new Key(Sha256.of(c), request.type())));
        for (Existing e : kept.values()) {
            if (!mine.contains(e.key())) {
                for (Assignment a : e.assignments()) {
                    if (request.assignTo().contains(a.groupId())) {
                        requests.add(call("DELETE", CONFIGURATIONS + "/" + e.id() + "/assignments/" + a.id(), null));
                    }
                }
            }
        }
        for (X509Certificate certificate : request.certificates()) {
            Key key = new Key(Sha256.of(certificate), request.type());
            Existing e = kept.get(key);
            if (e == null) {
                requests.add(call("POST", CONFIGURATIONS, profile(certificate, request.type(), request.version())));
                continue;
            }
            for (String groupId : request.assignTo()) {
                if (e.assignments().stream().noneMatch(a -> a.groupId().equals(groupId))) {
                    requests.add(call("POST", CONFIGURATIONS + "/" + e.id() + "/assignments", assignment(groupId)));
                }
            }
        }
        List<ObjectNode> batches = new ArrayList<>();
        for (int from = 0; from < requests.size(); from += MAX_BATCH) {
            ObjectNode batch = JSON.createObjectNode();
            ArrayNode list = batch.putArray("requests");
            List<ObjectNode> part = requests.subList(from, Math.min(requests.size(), from + MAX_BATCH));
            for (int i = 0; i < part.size(); i++) {
                ObjectNode r = part.get(i);
                ObjectNode numbered = JSON.createObjectNode();
                numbered.put("id", Integer.toString(i + 1));
                numbered.setAll(r);
                list.add(numbered);
            }
            batches.add(batch);
        }
        return batches;
    }

    /** Entra group ids as the caller wrote them, comma-separated: each must be a GUID. */
    public static List<String> assignTo(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String id = part.strip();
            try {
                ids.add(UUID.fromString(id).toString());
            } catch (IllegalArgumentException e) {
                throw TrustfleetException.validation("'assignTo' must be Entra group ids (GUIDs) separated by commas");
            }
            if (id.length() != 36) {
                throw TrustfleetException.validation("'assignTo' must be Entra group ids (GUIDs) separated by commas");
            }
        }
        return List.copyOf(new LinkedHashSet<>(ids));
    }

    private static ObjectNode assignment(String groupId) {
        ObjectNode body = JSON.createObjectNode();
        body.put("@odata.type", "#microsoft.graph.deviceConfigurationAssignment");
        ObjectNode target = body.putObject("target");
        target.put("@odata.type", "#microsoft.graph.groupAssignmentTarget");
        target.put("groupId", groupId);
        return body;
    }

    private static ObjectNode call(String method, String url, ObjectNode body) {
        ObjectNode r = JSON.createObjectNode();
        r.put("method", method);
        r.put("url", url);
        if (body != null) {
            r.putObject("headers").put("Content-Type", "application/json");
            r.set("body", body);
        }
        return r;
    }

    private static String graphId(String value, String field) {
        if (!GRAPH_ID.matcher(value).matches()) {
            throw TrustfleetException.validation(field + " must be a Graph id (letters, digits, '-' and '_')");
        }
        return value;
    }

    /** The subject's last CN, for display names; the whole subject when it has none. */
    public static String commonName(X509Certificate certificate) {
        String subject = certificate.getSubjectX500Principal().getName();
        try {
            Optional<Rdn> cn = new LdapName(subject).getRdns().stream()
                    .filter(rdn -> rdn.getType().equalsIgnoreCase("CN")).reduce((a, b) -> b);
            return cn.map(rdn -> rdn.getValue().toString()).orElse(subject);
        } catch (InvalidNameException e) {
            return subject;
        }
    }
}
