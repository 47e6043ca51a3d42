package org.trustfleet.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.List;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.CertificateParser;
import org.trustfleet.pki.Sha256;

/**
 * The stand-in for Android's user/admin CA store: a directory with one {@code <sha256>.pem} file per certificate.
 * Other files are never read, written or deleted. This is the only class touching the directory, so an Android port
 * replaces it with {@code DevicePolicyManager} calls (see docs/agent-protocol.md).
 */
public final class LocalCaStore {

    /** What occupies {@code <sha256>.pem}. */
    public enum Presence {
        /** No file. */
        ABSENT,
        /** A PEM certificate whose SHA-256 is the file name. */
        PRESENT,
        /** Something else (unparseable, or another certificate). */
        CONFLICT
    }

    private final Path dir;

    public LocalCaStore(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    /** The file that holds (or would hold) the certificate. */
    public Path fileOf(String sha256) {
        String id = Sha256.parse(sha256).orElseThrow(() -> new IllegalArgumentException("not a SHA-256 id"));
        return dir.resolve(id + ".pem");
    }

    /** Like {@code DevicePolicyManager.hasCaCertInstalled}. */
    public Presence presence(String sha256) {
        Path f = fileOf(sha256);
        if (!Files.exists(f)) {
            return Presence.ABSENT;
        }
        try {
            List<X509Certificate> certs = CertificateParser.parse(Files.readAllBytes(f));
            return certs.size() == 1 && Sha256.of(certs.get(0)).equals(sha256) ? Presence.PRESENT : Presence.CONFLICT;
        } catch (IOException | RuntimeException e) {
            return Presence.CONFLICT;
        }
    }

    /** Like {@code installCaCert}: writes the PEM atomically (temp file + move). */
    public void install(X509Certificate certificate) throws IOException {
        String sha = Sha256.of(certificate);
        Files.createDirectories(dir);
        Path target = fileOf(sha);
        Path tmp = Files.createTempFile(dir, ".install-", ".tmp");
        try {
            Files.write(tmp, CertificateEncoder.toPem(List.of(certificate)).getBytes(StandardCharsets.US_ASCII));
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Like {@code uninstallCaCert}: deletes {@code <sha256>.pem} if it holds that certificate. */
    public void uninstall(String sha256) throws IOException {
        if (presence(sha256) == Presence.PRESENT) {
            Files.deleteIfExists(fileOf(sha256));
        }
    }
}
