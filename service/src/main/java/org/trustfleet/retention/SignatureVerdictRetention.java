package org.trustfleet.retention;

import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.trustfleet.core.TrustfleetConfig;

/**
 * Signature verdicts no replica has written or used for {@code trustfleet.retention.signature-verdict-age}: those of
 * certificates no endpoint presents any more. Nothing current depends on a row, only how fast a signature is judged:
 * a replica still using a verdict writes it again after a third of that age ({@code truststore.SignatureVerdictCache}),
 * and one it does not have is checked again.
 */
@Singleton
public class SignatureVerdictRetention implements RetentionTask {
    private final Duration age;

    public SignatureVerdictRetention(TrustfleetConfig config) {
        this.age = config.retention().signatureVerdictAge();
    }

    @Override
    public String name() {
        return "signature-verdicts";
    }

    @Override
    public int pruneBatch(Connection connection, Instant now, int limit) throws SQLException {
        return RetentionTask.deleteOlderThan(connection, "signature_verdict", "id", "kept_at", now.minus(age), limit);
    }
}
