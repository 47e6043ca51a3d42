package org.trustfleet.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.testing.GroupRequirementRows;

/**
 * A recompute writes a group's requirements document only when it differs from the stored one, told by the digest
 * kept in the row (V42): an unchanged document is left as it is, a changed one is written with its new digest, and a
 * row whose document another writer set (the digest cleared by V42's trigger) or whose digest is unknown is written.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class RequirementsDocumentDigestTest {
    /** A document a recompute never writes: an edit of the stored one that the tests can recognise. */
    private static final String EDIT = "jsonb_set(document, '{advice}', '[]')";

    @Inject
    AgroalDataSource db;
    @Inject
    RequirementsService requirements;

    @Test
    void aRecomputeThatProducesTheStoredDocumentLeavesItInPlace() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("digest-kept");
        UUID group = group(t, "digest-kept");
        Row computed = row(group);
        assertThat(computed.digest()).as("the first computation's digest").matches("[0-9a-f]{64}");

        // the document edited behind the digest's back (the trigger that would clear it does not fire for a replica
        // session): if the recompute wrote its document, the edit would be gone
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                SET session_replication_role = replica;
                UPDATE group_requirements SET document = %s WHERE group_id = ?;
                SET session_replication_role = origin""".formatted(EDIT))) {
            s.setObject(1, group);
            s.execute();
        }
        String edited = row(group).document();
        assertThat(edited).isNotEqualTo(computed.document());
        // as a platform store change leaves it: pending
        update(group, "recompute_wanted = recompute_done + 1");

        requirements.recompute(group);
        Row after = row(group);
        assertThat(after.document()).as("the document a recompute found unchanged is not written").isEqualTo(edited);
        assertThat(after.digest()).isEqualTo(computed.digest());
        assertThat(after.version()).isEqualTo(computed.version());
        assertThat(after.pending()).as("the rest of the row is written: no longer pending").isFalse();
    }

    @Test
    void aDocumentSetByAnotherWriterLosesItsDigestAndTheNextRecomputeWritesIt() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("digest-cleared");
        UUID group = group(t, "digest-cleared");
        Row computed = row(group);

        update(group, "document = " + EDIT);
        Row edited = row(group);
        assertThat(edited.document()).isNotEqualTo(computed.document());
        assertThat(edited.digest()).as("cleared by the trigger").isNull();

        requirements.recompute(group);
        Row after = row(group);
        assertThat(after.document()).as("written again").isEqualTo(computed.document());
        assertThat(after.digest()).isEqualTo(computed.digest());
    }

    @Test
    void aRowWithoutADigestIsWrittenAndGetsOne() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("digest-unknown");
        UUID group = group(t, "digest-unknown");
        Row computed = row(group);
        // as rows written before V42 are
        update(group, "document = " + EDIT + ", document_sha256 = NULL");

        requirements.recompute(group);
        Row after = row(group);
        assertThat(after.document()).isEqualTo(computed.document());
        assertThat(after.digest()).isEqualTo(computed.digest());
    }

    @Test
    void aChangedDocumentIsWrittenWithItsNewDigest() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("digest-changed");
        UUID group = group(t, "digest-changed");
        Row before = row(group);
        assertThat(before.document()).contains("NO_ENDPOINTS");

        // the group covers every endpoint of the tenant: one more changes its document (and its set)
        as(t[1]).contentType(ContentType.JSON).body(Map.of("name", "sts", "host", "127.0.0.1", "port", 9,
                        "serverName", "sts.digest-changed.test"))
                .post("/api/v1/tenants/{t}/endpoints", t[0]).then().statusCode(201);
        requirements.recompute(group);
        Row after = row(group);
        assertThat(after.document()).doesNotContain("NO_ENDPOINTS");
        assertThat(after.digest()).matches("[0-9a-f]{64}").isNotEqualTo(before.digest());
        assertThat(after.version()).isGreaterThan(before.version());
    }

    @Test
    void theTriggerClearsTheDigestOnlyWhenTheDocumentIsSetWithoutANewOne() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("digest-trigger");
        UUID group = group(t, "digest-trigger");
        String digest = row(group).digest();

        update(group, "computed_at = now(), recompute_wanted = recompute_wanted + 1");
        assertThat(row(group).digest()).as("the document not set").isEqualTo(digest);

        String other = "0".repeat(64);
        update(group, "document = " + EDIT + ", document_sha256 = '" + other + "'");
        assertThat(row(group).digest()).as("set with a new digest, as the service does").isEqualTo(other);

        update(group, "document = document, document_sha256 = document_sha256");
        assertThat(row(group).digest()).as("set with the digest it had").isNull();
    }

    @Test
    void aPlaceholderRowHasNoDigest() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("digest-placeholder");
        UUID group = group(t, "digest-placeholder");
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                DELETE FROM group_requirements WHERE group_id = ?;
                INSERT INTO group_requirements (group_id, tenant_id, version, set_key, computed_at, document)
                VALUES (?, ?, 0, '', now(), '{}')""")) {
            s.setObject(1, group);
            s.setObject(2, group);
            s.setObject(3, UUID.fromString(t[0]));
            s.execute();
        }
        assertThat(row(group).digest()).isNull();

        requirements.recompute(group);
        Row after = row(group);
        assertThat(after.document()).contains("NO_ENDPOINTS");
        assertThat(after.digest()).matches("[0-9a-f]{64}");
    }

    @Test
    void aDocumentWithTextBeyondAsciiIsStoredAsComputedAndKeptByTheNextRecompute() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("digest-unicode");
        // a subject beyond ASCII, outside the Basic Multilingual Plane too: text a certificate brings into a document
        Cert root = TestPki.root("Z\u00fcrich Wurzel \uD83D\uDD10 CA");
        as(t[1]).contentType(ContentType.JSON).body(Map.of("pem", CertificateEncoder.toPem(List.of(root.cert()))))
                .post("/api/v1/tenants/{t}/anchors", t[0]).then().statusCode(201);
        UUID group = UUID.fromString(DeviceFixtures.group(t[0], t[1], "digest-unicode", List.of(root.sha256())));
        String subject = as(t[1]).get("/api/v1/tenants/{t}/device-groups/{g}/requirements", t[0], group)
                .then().statusCode(200).extract().path("certificates[0].subject");
        assertThat(subject).contains("Z\u00fcrich", "\uD83D\uDD10");

        Row computed = row(group);
        assertThat(computed.digest()).matches("[0-9a-f]{64}");
        assertThat(storedSubjects(group)).as("the stored document's text, as PostgreSQL reads it").containsExactly(subject);

        // recomputed unchanged: the digest of the bytes written matches the new document's, so it is left in place
        update(group, "recompute_wanted = recompute_done + 1");
        requirements.recompute(group);
        Row after = row(group);
        assertThat(after.digest()).isEqualTo(computed.digest());
        assertThat(after.document()).isEqualTo(computed.document());
        assertThat(after.pending()).isFalse();
    }

    private List<String> storedSubjects(UUID group) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT c ->> 'subject' FROM group_requirements, jsonb_array_elements(document -> 'certificates') c
                WHERE group_id = ?""")) {
            s.setObject(1, group);
            List<String> subjects = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    subjects.add(r.getString(1));
                }
            }
            return subjects;
        }
    }

    private static UUID group(String[] tenant, String name) {
        return UUID.fromString(DeviceFixtures.group(tenant[0], tenant[1], name, List.of()));
    }

    private void update(UUID group, String set) throws SQLException {
        GroupRequirementRows.update(db, group, set);
    }

    /** The stored row; the document as PostgreSQL prints its jsonb, so equal documents compare equal. */
    private Row row(UUID group) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT CAST(document AS text), document_sha256, version, recompute_wanted > recompute_done
                FROM group_requirements
                WHERE group_id = ?""")) {
            s.setObject(1, group);
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).isTrue();
                return new Row(r.getString(1), r.getString(2), r.getLong(3), r.getBoolean(4));
            }
        }
    }

    private record Row(String document, String digest, long version, boolean pending) {}
}
