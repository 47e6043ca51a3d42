package org.trustfleet.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * The compliance check writes a group's alert state only when it changes: a fleet of thousands of tenants is checked
 * every few minutes, and most groups stay as they were. A group that never went above the share has no state row; one
 * that is above keeps the row written when it went above, untouched by later checks until something changes.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class AlertGroupStateTest {
    @Inject
    AlertWatcher watcher;
    @Inject
    AgroalDataSource db;

    @Test
    void aGroupsStateIsWrittenOnlyWhenItChanges() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("alert-group-state");
        String quiet = DeviceFixtures.group(t[0], t[1], "quiet", List.of());
        String busy = DeviceFixtures.group(t[0], t[1], "busy", List.of());
        DeviceFixtures.device(t[0], t[1], busy); // has not reported: 1 of 1 not compliant, above the share

        watcher.checkNow();
        assertThat(state(quiet)).isEmpty();
        Optional<String[]> above = state(busy);
        assertThat(above).isPresent();
        assertThat(above.get()[1]).as("above_since").isNotNull();

        watcher.checkNow();
        assertThat(state(quiet)).isEmpty();
        // the same row version (xmin): the second check did not rewrite it
        assertThat(state(busy).orElseThrow()).containsExactly(above.get());
    }

    /** The group's state row as (xmin, above_since, reported, episode), if it has one. */
    private Optional<String[]> state(String group) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT xmin::text, above_since::text, reported::text, episode::text FROM alert_group_state
                WHERE group_id = ?""")) {
            s.setObject(1, UUID.fromString(group));
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(new String[] {r.getString(1), r.getString(2), r.getString(3),
                        r.getString(4)}) : Optional.empty();
            }
        }
    }
}
