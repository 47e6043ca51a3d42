package org.trustfleet.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * Signature verdicts nobody used for {@code trustfleet.retention.signature-verdict-age} (90 days by default) are
 * pruned; younger ones are kept.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class SignatureVerdictRetentionTest {
    @Inject
    RetentionJob retention;
    @Inject
    AgroalDataSource db;

    @Test
    void verdictsUnusedForTheirAgeArePrunedAndYoungerOnesKept() throws Exception {
        byte[] old = id();
        byte[] young = id();
        insert(old, "91 days");
        insert(young, "89 days");

        retention.run();

        assertThat(exists(old)).isFalse();
        assertThat(exists(young)).isTrue();
    }

    private static byte[] id() {
        byte[] id = new byte[32];
        new SecureRandom().nextBytes(id);
        return id;
    }

    private void insert(byte[] id, String age) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO signature_verdict (id, verifies, kept_at) VALUES (?, true, now() - ?::interval)")) {
            s.setBytes(1, id);
            s.setString(2, age);
            s.executeUpdate();
        }
    }

    private boolean exists(byte[] id) throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT 1 FROM signature_verdict WHERE id = ?")) {
            s.setBytes(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }
}
