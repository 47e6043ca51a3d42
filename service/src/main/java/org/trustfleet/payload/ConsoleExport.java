package org.trustfleet.payload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import org.trustfleet.export.CertificateFiles;
import org.trustfleet.export.IntuneProfileType;
import org.trustfleet.export.IntuneProfiles;
import org.trustfleet.export.Onc;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.Sha256;

/**
 * Renders a device group's certificate set in the formats MDM consoles take, so that groups managed by Google's
 * Android Management API or Microsoft Intune get the same set as Trustfleet's own agents. The formats that need
 * more than the set (the zip's reasons, Intune's tenant-wide batch) are put together by {@link ExportService}.
 */
public final class ConsoleExport {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A rendered export: its bytes, media type, a file name for downloads and, for EST, the body's
     * Content-Transfer-Encoding (else null).
     */
    public record Rendered(byte[] body, String mediaType, String fileName, String transferEncoding) {
        public Rendered(byte[] body, String mediaType, String fileName) {
            this(body, mediaType, fileName, null);
        }
    }

    private ConsoleExport() {}

    /**
     * @param groupName used in file names
     * @param version   the requirements version (in Intune profile markers)
     * @param type      the Intune profile type of the group's devices
     * @param certificates the group's set, in the set's order
     */
    public static Rendered render(ExportFormat format, String groupName, long version, IntuneProfileType type,
            List<X509Certificate> certificates) {
        String base = baseName(groupName);
        return switch (format) {
            case AMAPI_ONC -> {
                ObjectNode policy = JSON.createObjectNode();
                policy.set(Onc.UPDATE_MASK, Onc.document(certificates));
                yield new Rendered(json(policy), "application/json", base + "-onc.json");
            }
            case ONC -> new Rendered(json(Onc.document(certificates)), "application/x-onc", base + ".onc");
            case INTUNE_GRAPH -> {
                ArrayNode profiles = JSON.createArrayNode();
                certificates.forEach(c -> profiles.add(IntuneProfiles.profile(c, type, version)));
                yield new Rendered(json(profiles), "application/json", base + "-intune.json");
            }
            // an empty set is still a valid PEM file: text outside BEGIN/END blocks is ignored by readers
            case PEM -> new Rendered((certificates.isEmpty() ? "# Trustfleet: this device group needs no certificate\n"
                    : CertificateEncoder.toPem(certificates)).getBytes(StandardCharsets.US_ASCII),
                    "application/x-pem-file", base + ".pem");
            case PKCS7 -> new Rendered(CertificateEncoder.toPkcs7Der(certificates), "application/pkcs7-mime",
                    base + ".p7b");
            case EST -> new Rendered(CertificateFiles.est(certificates),
                    "application/pkcs7-mime; smime-type=certs-only", base + "-cacerts.b64", "base64");
            case DER -> {
                if (certificates.size() != 1) {
                    throw new IllegalArgumentException("DER holds exactly one certificate");
                }
                X509Certificate only = certificates.get(0);
                yield new Rendered(CertificateEncoder.der(only), "application/pkix-cert",
                        Sha256.of(only).substring(0, 16) + ".cer");
            }
            case INTUNE_GRAPH_BATCH, ZIP -> throw new IllegalArgumentException(format + " needs more than the set");
        };
    }

    /** {@code trustfleet-<group name made safe>}: the start of every download's file name. */
    static String baseName(String groupName) {
        String slug = groupName.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
                .replaceAll("(^-|-$)", "");
        return "trustfleet-" + (slug.isEmpty() ? "group" : slug.substring(0, Math.min(slug.length(), 60)));
    }

    static byte[] json(Object node) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
