package org.trustfleet.boot;

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
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.testing.GroupRequirementRows;

/**
 * The version history of a group's requirements (V21's trigger, fired since V38 only by an insert with a version and
 * by an update that moves the version): every version a row gets is recorded once, and the updates that leave the
 * version alone (a store change marking the group, the sweep's lease, a recompute with the same set) record nothing.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class RequirementHistoryTriggerTest {

    @Inject
    AgroalDataSource db;

    @Test
    void everyNewVersionIsRecordedOnceAndUpdatesThatKeepTheVersionRecordNothing() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("history-trigger");
        UUID group = group(t, "history-updated");
        // creating the group computed its first version
        assertThat(recordedVersions(group)).containsExactly(1L);

        update(group, "recompute_wanted = recompute_wanted + 1");
        update(group, "recompute_lease_until = now() + interval '2 minutes'");
        update(group, "version = version, computed_at = now(), recompute_done = recompute_wanted");
        assertThat(recordedVersions(group)).as("no update above moved the version").containsExactly(1L);

        update(group, "version = version + 1");
        update(group, "version = version + 1, recompute_lease_until = NULL");
        assertThat(recordedVersions(group)).containsExactly(1L, 2L, 3L);
    }

    @Test
    void updatesThatKeepTheVersionDoNotCallTheHistoryFunction() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("history-trigger-calls");
        UUID group = group(t, "history-calls");
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("SET LOCAL track_functions = 'pl'")) {
                s.execute();
            }
            // what a store change, the sweep's claim and a recompute with the same set do to the row
            for (String set : List.of("recompute_wanted = recompute_wanted + 1",
                    "recompute_lease_until = now() + interval '2 minutes'",
                    "version = version, computed_at = now(), recompute_done = recompute_wanted")) {
                updateIn(c, group, set);
            }
            assertThat(historyFunctionCalls(c)).as("calls of the history function for updates keeping the version")
                    .isZero();
            updateIn(c, group, "version = version + 1");
            assertThat(historyFunctionCalls(c)).as("one call for the update that moved the version").isEqualTo(1);
            c.commit();
        }
        assertThat(recordedVersions(group)).containsExactly(1L, 2L);
    }

    private static void updateIn(Connection c, UUID group, String set) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE group_requirements SET " + set + " WHERE group_id = ?")) {
            s.setObject(1, group);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }

    /** Calls in this transaction so far (PostgreSQL counts them with {@code track_functions} on). */
    private static long historyFunctionCalls(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                SELECT coalesce(sum(calls), 0) FROM pg_stat_xact_user_functions
                WHERE funcname = 'record_group_requirements_version'""");
                ResultSet r = s.executeQuery()) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    void aRowInsertedWithAVersionIsRecordedAndOneInsertedAsAPlaceholderIsNot() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("history-trigger-insert");
        UUID placed = group(t, "history-inserted");
        UUID placeholder = group(t, "history-placeholder");
        try (Connection c = db.getConnection()) {
            for (UUID g : List.of(placed, placeholder)) {
                try (PreparedStatement s = c.prepareStatement("""
                        DELETE FROM group_requirements_version WHERE group_id = ?;
                        DELETE FROM group_requirements WHERE group_id = ?""")) {
                    s.setObject(1, g);
                    s.setObject(2, g);
                    s.executeUpdate();
                }
            }
            insert(c, placed, UUID.fromString(t[0]), 7);
            insert(c, placeholder, UUID.fromString(t[0]), 0);
        }
        assertThat(recordedVersions(placed)).containsExactly(7L);
        assertThat(recordedVersions(placeholder)).isEmpty();
    }

    private static UUID group(String[] tenant, String name) {
        return UUID.fromString(as(tenant[1]).contentType(ContentType.JSON).body(Map.of("name", name, "minApiLevel", 24, "maxApiLevel", 36))
                .post("/api/v1/tenants/{t}/device-groups", tenant[0]).then().statusCode(201).extract().path("id"));
    }

    private void update(UUID group, String set) throws SQLException {
        GroupRequirementRows.update(db, group, set);
    }

    private static void insert(Connection c, UUID group, UUID tenant, long version) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO group_requirements (group_id, tenant_id, version, set_key, computed_at, document)
                VALUES (?, ?, ?, 'k', now(), '{"certificates": []}')""")) {
            s.setObject(1, group);
            s.setObject(2, tenant);
            s.setLong(3, version);
            s.executeUpdate();
        }
    }

    private List<Long> recordedVersions(UUID group) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT version FROM group_requirements_version WHERE group_id = ? ORDER BY version")) {
            s.setObject(1, group);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(r.getLong(1));
                }
            }
        }
        return out;
    }
}
