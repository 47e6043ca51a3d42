package org.trustfleet.boot;

import com.sun.security.auth.module.UnixSystem;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;
import org.trustfleet.pki.Sha256;

/**
 * Supplies zonky's bundled PostgreSQL binaries, made runnable by root.
 *
 * <p>PostgreSQL refuses to run as root, and CI machines and containers often are root. When the JVM runs as root,
 * {@code initdb} and {@code pg_ctl} are replaced by small wrappers that run the real binaries inside a user
 * namespace where the process is {@code nobody}: PostgreSQL sees an unprivileged user, while to the host it is
 * still the owner of the data directory, so no chown and no special directory placement is needed. For any other
 * user the archive is passed through untouched.
 */
final class UnprivilegedPgBinaryResolver implements PgBinaryResolver {
    private static final String WRAPPER = """
            #!/bin/sh
            # PostgreSQL refuses to run as root: run it as 'nobody' inside a user namespace mapped to this user.
            real="$(dirname "$0")/%s.real"
            if [ "$(id -u)" = "0" ]; then
              exec unshare --user --map-user=65534 --map-group=65534 "$real" "$@"
            fi
            exec "$real" "$@"
            """;

    @Override
    public InputStream getPgBinary(String system, String machineHardware) throws IOException {
        InputStream original = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machineHardware);
        if (original == null || new UnixSystem().getUid() != 0) {
            return original;
        }
        try (original) {
            byte[] archive = original.readAllBytes();
            return new ByteArrayInputStream(cached(archive));
        }
    }

    /**
     * Re-packing takes seconds, so the result is kept next to zonky's own extraction directory, named by the
     * digest of the original archive, and reused by later starts.
     */
    private static byte[] cached(byte[] archive) throws IOException {
        Path directory = Path.of(System.getProperty("java.io.tmpdir"), "trustfleet-pg");
        Path file = directory.resolve(Sha256.hex(archive) + "-v1.txz");
        if (Files.isRegularFile(file)) {
            return Files.readAllBytes(file);
        }
        byte[] rewrapped = rewrap(archive);
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, "repack-", ".tmp");
        Files.write(temporary, rewrapped);
        // concurrent starts may race here: each writes a complete file and the move is atomic
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return rewrapped;
    }

    /** Re-packs the archive deterministically (zonky caches the extraction by the archive's digest). */
    private static byte[] rewrap(byte[] txz) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(txz.length * 2);
        try (TarArchiveInputStream in = new TarArchiveInputStream(new XZInputStream(new ByteArrayInputStream(txz)));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new XZOutputStream(out, new LZMA2Options(0)))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                String name = entry.getName();
                String binary = wrappedBinary(name);
                if (binary != null && entry.isFile()) {
                    byte[] content = in.readAllBytes();
                    copy(tar, entry, name + ".real", content);
                    copy(tar, entry, name, WRAPPER.formatted(binary).getBytes(StandardCharsets.US_ASCII));
                } else {
                    tar.putArchiveEntry(entry);
                    if (entry.isFile()) {
                        in.transferTo(tar);
                    }
                    tar.closeArchiveEntry();
                }
            }
        }
        return out.toByteArray();
    }

    private static String wrappedBinary(String name) {
        for (String binary : new String[] {"initdb", "pg_ctl"}) {
            if (name.equals("bin/" + binary) || name.equals("./bin/" + binary)) {
                return binary;
            }
        }
        return null;
    }

    private static void copy(TarArchiveOutputStream tar, TarArchiveEntry template, String name, byte[] content)
            throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(0755);
        entry.setModTime(template.getModTime());
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
