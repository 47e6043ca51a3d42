package org.trustfleet.tenant;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.jboss.logging.Logger;
import org.trustfleet.core.TrustfleetConfig;

/**
 * Makes sure a fresh deployment has an operator credential: the configured {@code trustfleet.operator-token}, or
 * one generated into the data directory at first start. Logs where the token is, never the token.
 */
@ApplicationScoped
public class OperatorBootstrap {
    private static final Logger LOG = Logger.getLogger(OperatorBootstrap.class);
    static final String FILE_NAME = "operator-token";

    private final TrustfleetConfig config;
    private final ApiKeyService keys;

    public OperatorBootstrap(TrustfleetConfig config, ApiKeyService keys) {
        this.config = config;
        this.keys = keys;
    }

    void onStart(@Observes StartupEvent event) {
        if (config.operatorToken().filter(t -> !t.isBlank()).isPresent()) {
            if (keys.ensureBootstrapOperatorKey(ApiKeyService.BOOTSTRAP_PREFIX + " (configured)",
                    config.operatorToken().get().strip())) {
                LOG.info("Bootstrap operator credential taken from trustfleet.operator-token");
            } else {
                LOG.warn("trustfleet.operator-token holds a token that a newer one has retired: it stays revoked;"
                        + " configure the current token");
            }
            return;
        }
        Path file = Path.of(config.dataDir()).resolve(FILE_NAME).toAbsolutePath();
        if (!keys.ensureBootstrapOperatorKey(ApiKeyService.BOOTSTRAP_PREFIX + " (generated)", readOrCreate(file))) {
            // the file's token was retired by a configured one that is gone now: issue a fresh one
            replace(file);
            keys.ensureBootstrapOperatorKey(ApiKeyService.BOOTSTRAP_PREFIX + " (generated)", readOrCreate(file));
            LOG.warnf("The operator token in %s had been retired; a new one was written there", file);
        }
        LOG.infof("Bootstrap operator token is in %s (readable by its owner only)", file);
    }

    private static void replace(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace the operator token file " + file, e);
        }
    }

    private static String readOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            Files.createDirectories(file.getParent());
            String token = BearerTokens.generate("tfo");
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the operator token file " + file, e);
        }
    }
}
