package org.trustfleet.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.Sha256;

/**
 * Open Network Configuration for Trustfleet's certificates: a whole ONC document (what Chrome OS and AMAPI read) and
 * the merge of a set into an admin's existing AMAPI policy, which must keep every entry Trustfleet did not make,
 * because {@code policies.patch} replaces the whole {@code openNetworkConfiguration}.
 */
public final class Onc {
    /** GUID prefix of Trustfleet's entries; the rest is the certificate's SHA-256, so a GUID never changes. */
    public static final String GUID_PREFIX = "trustfleet-";
    /** The policy field the merge changes: the {@code updateMask} of {@code policies.patch}. */
    public static final String UPDATE_MASK = "openNetworkConfiguration";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An admin's policy with Trustfleet's entries replaced, and what changed. */
    public record Merged(ObjectNode policy, String updateMask, List<String> added, List<String> removed) {}

    private Onc() {}

    /** A standalone ONC document: {@code Type} and {@code Certificates} at the top level (ONC "Detection"). */
    public static ObjectNode document(List<X509Certificate> certificates) {
        ObjectNode onc = JSON.createObjectNode();
        onc.put("Type", "UnencryptedConfiguration");
        ArrayNode list = onc.putArray("Certificates");
        certificates.forEach(c -> list.add(entry(c)));
        return onc;
    }

    /**
     * Returns the admin's AMAPI policy with exactly Trustfleet's certificate entries (GUID {@code trustfleet-<64
     * hex>}) replaced by {@code certificates}. Other certificates, NetworkConfigurations, every other ONC key and
     * every other policy field are kept as they are, in their order. AMAPI removes a certificate by its omission.
     *
     * @throws TrustfleetException validation when the input is not a policy object or its ONC is malformed; conflict
     *                             when a network refers to a Trustfleet certificate the set no longer has (ONC
     *                             requires every referenced GUID in the same document)
     */
    public static Merged merge(JsonNode policyInput, List<X509Certificate> certificates) {
        if (policyInput == null || !policyInput.isObject()) {
            throw TrustfleetException.validation("the body must be an Android Management API Policy (a JSON object)");
        }
        ObjectNode policy = policyInput.deepCopy();
        JsonNode existing = policy.get(UPDATE_MASK);
        ObjectNode onc;
        if (existing == null || existing.isNull()) {
            onc = JSON.createObjectNode();
            onc.put("Type", "UnencryptedConfiguration");
        } else if (existing.isObject()) {
            onc = (ObjectNode) existing;
        } else {
            throw TrustfleetException.validation("'openNetworkConfiguration' must be a JSON object");
        }
        JsonNode oldList = onc.get("Certificates");
        if (oldList != null && !oldList.isNull() && !oldList.isArray()) {
            throw TrustfleetException.validation("'openNetworkConfiguration.Certificates' must be an array");
        }
        ArrayNode merged = JSON.createArrayNode();
        Set<String> before = new LinkedHashSet<>();
        if (oldList != null && oldList.isArray()) {
            for (JsonNode entry : oldList) {
                String guid = entry.path("GUID").asText("");
                if (isTrustfleetGuid(guid)) {
                    before.add(guid.substring(GUID_PREFIX.length()).toLowerCase(Locale.ROOT));
                } else {
                    merged.add(entry);
                }
            }
        }
        Set<String> after = new LinkedHashSet<>();
        for (X509Certificate certificate : certificates) {
            merged.add(entry(certificate));
            after.add(Sha256.of(certificate));
        }
        // rebuild the ONC object in its own key order, the Certificates list where it was (or last)
        ObjectNode result = JSON.createObjectNode();
        boolean placed = false;
        for (Iterator<String> names = onc.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (name.equals("Certificates")) {
                result.set("Certificates", merged);
                placed = true;
            } else {
                result.set(name, onc.get(name));
            }
        }
        if (!placed) {
            result.set("Certificates", merged);
        }
        Set<String> missing = missingReferences(result);
        if (!missing.isEmpty()) {
            throw new TrustfleetException(ErrorKind.CONFLICT, "the policy's networks refer to certificates that"
                    + " would no longer be in it: " + String.join(", ", missing) + "; point those networks at"
                    + " another certificate first");
        }
        policy.set(UPDATE_MASK, result);
        List<String> added = after.stream().filter(s -> !before.contains(s)).toList();
        List<String> removed = before.stream().filter(s -> !after.contains(s)).toList();
        return new Merged(policy, UPDATE_MASK, added, removed);
    }

    /**
     * GUIDs that a network refers to ({@code ServerCARef}, {@code ServerCARefs}, {@code ClientCertRef}) but no
     * certificate of the document has: ONC rejects such a document.
     */
    public static Set<String> missingReferences(JsonNode onc) {
        Set<String> present = new TreeSet<>();
        for (JsonNode c : onc.path("Certificates")) {
            present.add(c.path("GUID").asText(""));
        }
        Set<String> referenced = new TreeSet<>();
        collectReferences(onc.path("NetworkConfigurations"), referenced);
        referenced.removeAll(present);
        return referenced;
    }

    private static void collectReferences(JsonNode node, Set<String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                String key = field.getKey();
                JsonNode value = field.getValue();
                if ((key.equals("ServerCARef") || key.equals("ClientCertRef")) && value.isTextual()) {
                    out.add(value.asText());
                } else if (key.equals("ServerCARefs") && value.isArray()) {
                    value.forEach(v -> {
                        if (v.isTextual()) {
                            out.add(v.asText());
                        }
                    });
                } else {
                    collectReferences(value, out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collectReferences(child, out));
        }
    }

    private static boolean isTrustfleetGuid(String guid) {
        return guid.length() == GUID_PREFIX.length() + 64 && guid.regionMatches(true, 0, GUID_PREFIX, 0,
                GUID_PREFIX.length()) && Sha256.isId(guid.substring(GUID_PREFIX.length()));
    }

    /** AMAPI supports neither Remove nor TrustBits, so an entry is GUID, Type Authority and the DER in X509. */
    private static ObjectNode entry(X509Certificate certificate) {
        ObjectNode entry = JSON.createObjectNode();
        entry.put("GUID", GUID_PREFIX + Sha256.of(certificate));
        entry.put("Type", "Authority");
        entry.put("X509", Base64.getEncoder().encodeToString(CertificateEncoder.der(certificate)));
        return entry;
    }
}
