package org.trustfleet.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Changes rows the way another replica, or an operator working around the service, would: plain SQL. */
public final class Rows {
    private Rows() {}

    /** Runs one statement with its parameters; the number of rows it changed. */
    public static int update(DataSource db, String sql, Object... parameters) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            return s.executeUpdate();
        }
    }
}
