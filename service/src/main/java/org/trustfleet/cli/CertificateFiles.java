package org.trustfleet.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.FixFinder;
import org.trustfleet.pki.Sha256;

/**
 * Writes certificates for people to hand to an MDM or a device: {@code .pem} and {@code .cer} (DER, what Android's
 * "Install certificate" screen and most consoles take), named by subject and SHA-256 prefix. Subjects come from the
 * server, so names are reduced to a safe alphabet: no path separators, no dot files, bounded length.
 */
final class CertificateFiles {
    private static final int MAX_NAME = 60;

    private CertificateFiles() {
    }

    /** Writes each selected level's preferred fix (once per certificate) to {@code dir}. */
    static void writeNeeded(CheckRun run, Path dir) throws CheckCommand.Failure {
        Map<String, X509Certificate> needed = new LinkedHashMap<>();
        run.levels().values().forEach(answer -> {
            if (answer.kind() == FixFinder.Kind.FIXABLE) {
                FixFinder.CertificateFix fix = answer.fixes().get(0);
                needed.putIfAbsent(fix.sha256(), fix.certificate());
            }
        });
        try {
            Files.createDirectories(dir);
            for (X509Certificate c : needed.values()) {
                String base = baseName(c);
                Files.writeString(dir.resolve(base + ".pem"), CertificateEncoder.toPem(List.of(c)),
                        StandardCharsets.UTF_8);
                Files.write(dir.resolve(base + ".cer"), CertificateEncoder.der(c));
            }
        } catch (IOException e) {
            throw new CheckCommand.Failure("cannot write to --out " + Text.safe(dir.toString()) + ": "
                    + Text.safe(String.valueOf(e.getMessage())));
        }
    }

    /** Writes {@code chain} as one PEM file, in order (what a server's certificate-chain setting takes). */
    static void writeChain(List<X509Certificate> chain, Path file) throws CheckCommand.Failure {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, CertificateEncoder.toPem(chain), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CheckCommand.Failure("cannot write --server-chain " + Text.safe(file.toString()) + ": "
                    + Text.safe(String.valueOf(e.getMessage())));
        }
    }

    /** {@code <common name or subject>_<first 16 hex of SHA-256>}, in [A-Za-z0-9._-] and never starting with '.'. */
    static String baseName(X509Certificate c) {
        String name = commonName(c.getSubjectX500Principal());
        String safe = name.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("^[._-]+", "").replaceAll("_+$", "");
        if (safe.length() > MAX_NAME) {
            safe = safe.substring(0, MAX_NAME);
        }
        if (safe.isEmpty()) {
            safe = "certificate";
        }
        return safe + "_" + Sha256.of(c).substring(0, 16);
    }

    private static String commonName(X500Principal subject) {
        String rfc = subject.getName(X500Principal.RFC2253);
        try {
            List<Rdn> rdns = new LdapName(rfc).getRdns();
            for (int i = rdns.size() - 1; i >= 0; i--) {
                if (rdns.get(i).getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdns.get(i).getValue());
                }
            }
        } catch (InvalidNameException ignored) {
            // fall back to the whole subject
        }
        return rfc;
    }
}
