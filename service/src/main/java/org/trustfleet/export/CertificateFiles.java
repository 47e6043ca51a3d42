package org.trustfleet.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.LocalDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.security.auth.x500.X500Principal;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.Sha256;

/**
 * Certificate files for consoles that take uploads (Intune's UI, Workspace ONE, MaaS360, SOTI, Headwind): a zip with
 * one {@code .cer} and one {@code .pem} per certificate and a README saying why each is there; and the RFC 7030 EST
 * {@code /cacerts} body.
 */
public final class CertificateFiles {
    // fixed entry times: the same set gives the same bytes, so its ETag does not change between requests
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2020, 1, 1, 0, 0);

    /**
     * One certificate of the archive.
     *
     * @param reasons one line per reason it is delivered
     */
    public record Entry(X509Certificate certificate, String role, List<String> reasons) {
        public Entry {
            reasons = List.copyOf(reasons);
        }
    }

    private CertificateFiles() {}

    /**
     * The zip. File names are the subject's common name made safe for every file system, then the first 16 hex
     * digits of the SHA-256, so two certificates never share a name.
     *
     * @param serverFixes advice lines on fixing the servers (sending missing intermediates)
     */
    public static byte[] zip(String groupName, long version, List<Entry> entries, List<String> serverFixes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
            StringBuilder readme = new StringBuilder();
            readme.append("Trustfleet certificates for device group ").append(text(groupName))
                    .append(", requirements version ").append(version).append("\n\n");
            readme.append("Upload each certificate as a trusted (root or intermediate) certificate profile of the"
                    + " console. Every certificate is here twice, as DER (.cer) and as PEM (.pem): take the form the"
                    + " console asks for.\n\n");
            if (entries.isEmpty()) {
                readme.append("This device group needs no certificate.\n\n");
            }
            for (Entry entry : entries) {
                String base = fileBase(entry.certificate());
                put(zip, base + ".cer", CertificateEncoder.der(entry.certificate()));
                put(zip, base + ".pem", CertificateEncoder.toPem(List.of(entry.certificate()))
                        .getBytes(StandardCharsets.US_ASCII));
                readme.append(base).append(".cer / .pem\n");
                readme.append("  subject:   ").append(text(entry.certificate().getSubjectX500Principal()
                        .getName(X500Principal.RFC2253))).append('\n');
                readme.append("  sha256:    ").append(Sha256.of(entry.certificate())).append('\n');
                readme.append("  role:      ").append(entry.role()).append('\n');
                readme.append("  not after: ").append(entry.certificate().getNotAfter().toInstant()).append('\n');
                for (String reason : entry.reasons()) {
                    readme.append("  reason:    ").append(text(reason)).append('\n');
                }
                readme.append('\n');
            }
            readme.append("What the devices need\n---------------------\n").append(UserStoreCaveat.SENTENCE)
                    .append("\nAn app opts in with res/xml/network_security_config.xml, referenced from its manifest"
                            + " (android:networkSecurityConfig=\"@xml/network_security_config\"):\n\n")
                    .append(UserStoreCaveat.NETWORK_SECURITY_CONFIG).append('\n');
            readme.append("Fix the servers first\n---------------------\nWhen a server does not send its"
                    + " intermediate certificate, configure it to send the whole chain: that fixes every device,"
                    + " managed or not, without installing anything.\n");
            for (String fix : serverFixes) {
                readme.append("- ").append(text(fix)).append('\n');
            }
            put(zip, "README.txt", readme.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** RFC 7030 section 4.1.3: the certs-only PKCS#7 (DER) in base64 (RFC 2045 lines). */
    public static byte[] est(List<X509Certificate> certificates) {
        String body = Base64.getMimeEncoder().encodeToString(CertificateEncoder.toPkcs7Der(certificates)) + "\r\n";
        return body.getBytes(StandardCharsets.US_ASCII);
    }

    /** A file name (without extension) for a certificate: its CN made safe, then a SHA-256 prefix. */
    public static String fileBase(X509Certificate certificate) {
        String cn = IntuneProfiles.commonName(certificate).replaceAll("[^A-Za-z0-9._-]+", "_")
                .replaceAll("^[._]+|_+$", "");
        if (cn.length() > 60) {
            cn = cn.substring(0, 60);
        }
        return (cn.isEmpty() ? "certificate" : cn) + "_" + Sha256.of(certificate).substring(0, 16);
    }

    /** Text from certificates and servers is data: control characters would forge lines of the README. */
    private static String text(String value) {
        StringBuilder out = new StringBuilder(value.length());
        value.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                out.append(String.format(Locale.ROOT, "\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setTimeLocal(ENTRY_TIME);
        zip.putNextEntry(entry);
        zip.write(content);
        zip.closeEntry();
    }
}
