package org.trustfleet.payload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.Sha256;

/**
 * Renders a device group's certificate set in the formats MDM consoles take, so that groups managed by Google's
 * Android Management API or Microsoft Intune get the same set as Trustfleet's own agents.
 */
public final class ConsoleExport {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A rendered export: its bytes, media type and a file name for downloads. */
    public record Rendered(byte[] body, String mediaType, String fileName) {}

    private ConsoleExport() {}

    /**
     * @param groupName used in profile display names
     * @param workProfile whether the group's devices use a work profile (Intune has a profile type per mode)
     * @param certificates the group's set, in the set's order
     */
    public static Rendered render(ExportFormat format, String groupName, boolean workProfile,
            List<X509Certificate> certificates) {
        String base = "trustfleet-" + slug(groupName);
        return switch (format) {
            case AMAPI_ONC -> new Rendered(json(amapi(certificates)), "application/json", base + "-onc.json");
            case INTUNE_GRAPH -> new Rendered(json(intune(groupName, workProfile, certificates)), "application/json",
                    base + "-intune.json");
            // an empty set is still a valid PEM file: text outside BEGIN/END blocks is ignored by readers
            case PEM -> new Rendered((certificates.isEmpty() ? "# Trustfleet: this device group needs no certificate\n"
                    : CertificateEncoder.toPem(certificates)).getBytes(StandardCharsets.US_ASCII),
                    "application/x-pem-file", base + ".pem");
            case PKCS7 -> new Rendered(CertificateEncoder.toPkcs7Der(certificates), "application/pkcs7-mime",
                    base + ".p7b");
            case DER -> {
                if (certificates.size() != 1) {
                    throw new IllegalArgumentException("DER holds exactly one certificate");
                }
                X509Certificate only = certificates.get(0);
                yield new Rendered(CertificateEncoder.der(only), "application/pkix-cert",
                        Sha256.of(only).substring(0, 16) + ".cer");
            }
        };
    }

    /**
     * An AMAPI Policy fragment: {@code openNetworkConfiguration} is an ONC document whose Certificates are of type
     * Authority. AMAPI supports neither Remove nor TrustBits, so only GUID, Type and X509 are set. GUIDs are derived
     * from the fingerprint, so the same certificate keeps its GUID across exports.
     */
    private static ObjectNode amapi(List<X509Certificate> certificates) {
        ObjectNode policy = JSON.createObjectNode();
        ObjectNode onc = policy.putObject("openNetworkConfiguration");
        onc.put("Type", "UnencryptedConfiguration");
        ArrayNode list = onc.putArray("Certificates");
        for (X509Certificate certificate : certificates) {
            ObjectNode entry = list.addObject();
            entry.put("GUID", "trustfleet-" + Sha256.of(certificate));
            entry.put("Type", "Authority");
            entry.put("X509", Base64.getEncoder().encodeToString(CertificateEncoder.der(certificate)));
        }
        return policy;
    }

    /** Intune takes one root or intermediate per trusted-certificate profile. */
    private static ArrayNode intune(String groupName, boolean workProfile, List<X509Certificate> certificates) {
        ArrayNode profiles = JSON.createArrayNode();
        for (X509Certificate certificate : certificates) {
            String sha256 = Sha256.of(certificate);
            ObjectNode profile = profiles.addObject();
            profile.put("@odata.type", workProfile ? "#microsoft.graph.androidWorkProfileTrustedRootCertificate"
                    : "#microsoft.graph.androidDeviceOwnerTrustedRootCertificate");
            profile.put("displayName", "Trustfleet " + groupName + " - " + commonName(certificate));
            profile.put("description", "Installed by Trustfleet for device group " + groupName + "; SHA-256 "
                    + sha256);
            profile.put("certFileName", sha256.substring(0, 16) + ".cer");
            profile.put("trustedRootCertificate",
                    Base64.getEncoder().encodeToString(CertificateEncoder.der(certificate)));
        }
        return profiles;
    }

    private static String commonName(X509Certificate certificate) {
        String subject = certificate.getSubjectX500Principal().getName();
        try {
            Optional<Rdn> cn = new LdapName(subject).getRdns().stream()
                    .filter(rdn -> rdn.getType().equalsIgnoreCase("CN")).reduce((a, b) -> b);
            return cn.map(rdn -> rdn.getValue().toString()).orElse(subject);
        } catch (InvalidNameException e) {
            return subject;
        }
    }

    private static String slug(String name) {
        String slug = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return slug.isEmpty() ? "group" : slug.substring(0, Math.min(slug.length(), 60));
    }

    private static byte[] json(Object node) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
