package org.trustfleet.retention;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * One kind of history that grows without bound and is pruned by age in the background ({@link RetentionJob}). Each
 * implementation is a CDI bean; the job finds them all, so a new kind of history (alert deliveries, for one) plugs in
 * by implementing this interface, without touching the job.
 *
 * <p>An implementation deletes only what nothing current depends on: what it keeps is its own rule (the latest scan
 * of an endpoint, for one), stated in its Javadoc.
 */
public interface RetentionTask {

    /** A short stable name, for the log and the metrics ({@code scans}, {@code chain-events}, ...). */
    String name();

    /**
     * Deletes at most {@code limit} rows that are due at {@code now}, in one statement on {@code connection}
     * (autocommit: each batch commits on its own, so locks are held briefly), and returns how many it deleted. Fewer
     * than {@code limit} means nothing more is due.
     */
    int pruneBatch(Connection connection, Instant now, int limit) throws SQLException;

    /**
     * The batch of a history pruned by age alone: deletes at most {@code limit} rows of {@code table} whose
     * {@code time} column is before {@code cutoff}, oldest first, skipping rows another transaction holds locked.
     * The names are this package's constants, never input.
     */
    static int deleteOlderThan(Connection connection, String table, String key, String time, Instant cutoff,
            int limit) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("DELETE FROM " + table + " WHERE " + key + " IN ("
                + "SELECT " + key + " FROM " + table + " WHERE " + time + " < ? ORDER BY " + time + " LIMIT ? "
                + "FOR UPDATE SKIP LOCKED)")) {
            s.setTimestamp(1, Timestamp.from(cutoff));
            s.setInt(2, limit);
            return s.executeUpdate();
        }
    }
}
