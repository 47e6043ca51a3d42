package org.trustfleet.payload;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.jboss.logging.Logger;
import org.trustfleet.core.TrustfleetConfig;

/**
 * Provides the master key that seals payload signing keys: {@code trustfleet.payload.master-key} when set, otherwise
 * a key generated at first start into {@code <data-dir>/payload-master-key} (owner-only permissions). Logs where the
 * key comes from and its fingerprint, never the key.
 *
 * <p>Replicas that share a database must share the key: configure the same {@code trustfleet.payload.master-key} on
 * every replica (a key generated into one replica's data directory cannot open keys sealed by another).
 */
@ApplicationScoped
public class MasterKeyProvider {
    private static final Logger LOG = Logger.getLogger(MasterKeyProvider.class);
    static final String FILE_NAME = "payload-master-key";

    private final TrustfleetConfig config;
    private volatile MasterKey key;

    public MasterKeyProvider(TrustfleetConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        masterKey();
    }

    /** The master key, loaded or generated on first use. */
    public MasterKey masterKey() {
        MasterKey k = key;
        if (k == null) {
            synchronized (this) {
                k = key;
                if (k == null) {
                    k = load();
                    key = k;
                }
            }
        }
        return k;
    }

    private MasterKey load() {
        if (config.payload().masterKey().filter(s -> !s.isBlank()).isPresent()) {
            MasterKey k;
            try {
                k = MasterKey.fromBase64(config.payload().masterKey().get());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("trustfleet.payload.master-key is invalid: " + e.getMessage());
            }
            LOG.infof("Payload master key taken from trustfleet.payload.master-key (fingerprint %s)", k.fingerprint());
            return k;
        }
        Path file = Path.of(config.dataDir()).resolve(FILE_NAME).toAbsolutePath();
        MasterKey k = readOrCreate(file);
        LOG.infof("Payload master key is in %s (readable by its owner only; fingerprint %s). Replicas sharing a"
                + " database must all set the same trustfleet.payload.master-key.", file, k.fingerprint());
        return k;
    }

    private static MasterKey readOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                MasterKey generated = MasterKey.generate();
                try {
                    Files.createFile(file,
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    Files.writeString(file, generated.toBase64() + "\n", StandardCharsets.US_ASCII,
                            StandardOpenOption.TRUNCATE_EXISTING);
                    return generated;
                } catch (FileAlreadyExistsException raced) {
                    // another process created it first: use theirs
                }
            }
            return MasterKey.fromBase64(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the payload master key file " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the payload master key file " + file + " is invalid: " + e.getMessage());
        }
    }
}
