package org.trustfleet.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Writing a group's requirement row in SQL, as another writer than the service would (an operator, a migration, a
 * store change marking it): what the tests of the row's triggers and of the service's own writes set up.
 */
public final class GroupRequirementRows {
    private GroupRequirementRows() {}

    /** {@code UPDATE group_requirements SET <set>} for the group's row, which must exist. */
    public static void update(DataSource db, UUID group, String set) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE group_requirements SET " + set + " WHERE group_id = ?")) {
            s.setObject(1, group);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }
}
