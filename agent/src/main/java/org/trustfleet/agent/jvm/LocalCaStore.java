package org.trustfleet.agent.jvm;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.trustfleet.agent.CaStore;
import org.trustfleet.agent.Certs;

/**
 * The reference agent's stand-in for Android's user/admin CA store: a directory with one {@code <sha256>.pem} file
 * per certificate. Other files are never written or deleted (they are read only by {@link #certificates()}, as a
 * user-installed CA would be trusted on a device). JVM only (java.nio.file).
 */
@JvmOnly
public final class LocalCaStore implements CaStore {

    private final Path dir;

    public LocalCaStore(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    /** The file that holds (or would hold) the certificate. */
    public Path fileOf(String sha256) {
        String id = Certs.parseId(sha256);
        if (id == null) {
            throw new IllegalArgumentException("not a SHA-256 id");
        }
        return dir.resolve(id + ".pem");
    }

    @Override
    public String describe(String sha256) {
        return fileOf(sha256).getFileName().toString();
    }

    @Override
    public Presence presence(String sha256) {
        Path f = fileOf(sha256);
        if (!Files.exists(f)) {
            return Presence.ABSENT;
        }
        try {
            List<X509Certificate> certs = Certs.parsePem(Files.readAllBytes(f));
            return certs.size() == 1 && Certs.sha256(certs.get(0)).equals(sha256) ? Presence.PRESENT
                    : Presence.CONFLICT;
        } catch (IOException | RuntimeException e) {
            return Presence.CONFLICT;
        }
    }

    @Override
    public void install(X509Certificate certificate) throws IOException {
        String sha = Certs.sha256(certificate);
        Files.createDirectories(dir);
        Path target = fileOf(sha);
        Path tmp = Files.createTempFile(dir, ".install-", ".tmp");
        try {
            Files.write(tmp, Certs.toPem(Collections.singletonList(certificate)).getBytes("US-ASCII"));
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public void uninstall(String sha256) throws IOException {
        if (presence(sha256) == Presence.PRESENT) {
            Files.deleteIfExists(fileOf(sha256));
        }
    }

    @Override
    public List<X509Certificate> certificates() throws IOException {
        List<X509Certificate> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.pem")) {
            for (Path f : files) {
                try {
                    out.addAll(Certs.parsePem(Files.readAllBytes(f)));
                } catch (RuntimeException e) {
                    // not a certificate file: a device would not trust it either
                }
            }
        }
        return out;
    }
}
