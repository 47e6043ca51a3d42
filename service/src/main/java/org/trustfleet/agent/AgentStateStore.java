package org.trustfleet.agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Loads and saves {@link AgentState} as {@code <dir>/agent-state.json}: written to a temporary file in the same
 * directory (created owner-only, {@code rw-------}), flushed to disk, then atomically moved over the old file, so a
 * crash leaves either the old or the new state. The directory is created {@code rwx------} when missing.
 */
public final class AgentStateStore {

    /** File name inside the state directory. */
    public static final String FILE_NAME = "agent-state.json";

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private final Path dir;

    public AgentStateStore(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    /** The state file path. */
    public Path file() {
        return dir.resolve(FILE_NAME);
    }

    /** The saved state, or empty when the agent never enrolled here. */
    public Optional<AgentState> load() {
        Path f = file();
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            AgentState s = MAPPER.readValue(f.toFile(), AgentState.class);
            if (!AgentState.FORMAT.equals(s.format())) {
                throw new AgentException("unsupported state file format '" + s.format() + "' in " + f);
            }
            return Optional.of(s);
        } catch (IOException e) {
            throw new AgentException("cannot read agent state " + f + ": " + e.getMessage(), e);
        }
    }

    /** Atomically replaces the state file. */
    public void save(AgentState state) {
        try {
            createOwnerOnlyDir(dir);
            byte[] json = MAPPER.writeValueAsBytes(state);
            Path tmp = posix() ? Files.createTempFile(dir, ".agent-state", ".tmp", ownerOnly(false))
                    : Files.createTempFile(dir, ".agent-state", ".tmp");
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    ch.write(java.nio.ByteBuffer.wrap(json));
                    ch.force(true);
                }
                try {
                    Files.move(tmp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file(), StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write agent state to " + dir, e);
        }
    }

    static void createOwnerOnlyDir(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            if (posix()) {
                Files.createDirectories(dir.getParent() == null ? dir : dir.getParent());
                Files.createDirectory(dir, ownerOnly(true));
            } else {
                Files.createDirectories(dir);
            }
        } catch (FileAlreadyExistsException e) {
            // created concurrently: fine
        }
    }

    static boolean posix() {
        return java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static FileAttribute<Set<PosixFilePermission>> ownerOnly(boolean directory) {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(directory ? "rwx------" : "rw-------"));
    }
}
