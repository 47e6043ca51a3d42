package org.trustfleet.agent;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Keeps {@link AgentState} as {@code <dir>/agent-state.json} with {@code java.io} only (so it runs on Android, in the
 * app's private files directory): written to a temporary file in the same directory made owner-only
 * ({@code rw-------}) before anything is written to it, synced to disk, then renamed over the old file, so a crash
 * leaves either the old or the new state. A missing directory is created owner-only ({@code rwx------}).
 */
public final class FileAgentStateStore implements AgentStateStore {

    /** File name inside the state directory. */
    public static final String FILE_NAME = "agent-state.json";
    private static final int MAX_BYTES = 32 * 1024 * 1024;

    private final File dir;

    public FileAgentStateStore(File dir) {
        this.dir = dir.getAbsoluteFile();
    }

    /** The state file. */
    public File file() {
        return new File(dir, FILE_NAME);
    }

    @Override
    public String describe() {
        return file().getPath();
    }

    @Override
    public AgentState loadOrNull() {
        File f = file();
        if (!f.exists()) {
            return null;
        }
        try {
            return AgentState.fromJson(new String(read(f), Certs.UTF8));
        } catch (IOException e) {
            throw new AgentException("cannot read agent state " + f + ": " + e.getMessage(), e);
        } catch (AgentException e) {
            throw new AgentException(e.getMessage() + " in " + f, e);
        }
    }

    @Override
    public void save(AgentState state) {
        byte[] json = state.toJson().toString(2).getBytes(Certs.UTF8);
        try {
            createOwnerOnlyDir(dir);
            File tmp = File.createTempFile(".agent-state", ".tmp", dir);
            try {
                ownerOnly(tmp, false);
                FileOutputStream out = new FileOutputStream(tmp);
                try {
                    out.write(json);
                    out.flush();
                    out.getFD().sync();
                } finally {
                    out.close();
                }
                // rename(2) replaces atomically on POSIX (Android, Linux, macOS); elsewhere the old file goes first
                if (!tmp.renameTo(file())) {
                    if (!file().delete() || !tmp.renameTo(file())) {
                        throw new IOException("cannot move " + tmp + " to " + file());
                    }
                }
            } finally {
                if (tmp.exists() && !tmp.delete()) {
                    tmp.deleteOnExit();
                }
            }
        } catch (IOException e) {
            throw new AgentException("cannot write agent state to " + dir + ": " + e.getMessage(), e);
        }
    }

    static void createOwnerOnlyDir(File dir) throws IOException {
        if (dir.isDirectory()) {
            return;
        }
        File parent = dir.getParentFile();
        if (parent != null && !parent.isDirectory() && !parent.mkdirs() && !parent.isDirectory()) {
            throw new IOException("cannot create " + parent);
        }
        if (!dir.mkdir() && !dir.isDirectory()) {
            throw new IOException("cannot create " + dir);
        }
        ownerOnly(dir, true);
    }

    private static void ownerOnly(File f, boolean directory) {
        // clear the bits for everyone, then give them back to the owner only
        f.setReadable(false, false);
        f.setWritable(false, false);
        f.setExecutable(false, false);
        f.setReadable(true, true);
        f.setWritable(true, true);
        if (directory) {
            f.setExecutable(true, true);
        }
    }

    private static byte[] read(File f) throws IOException {
        InputStream in = new FileInputStream(f);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                if (out.size() > MAX_BYTES) {
                    throw new IOException("state file larger than " + MAX_BYTES + " bytes");
                }
            }
            return out.toByteArray();
        } finally {
            in.close();
        }
    }
}
