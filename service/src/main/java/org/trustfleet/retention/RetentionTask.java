package org.trustfleet.retention;

import java.sql.Connection;
import java.sql.SQLException;
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
}
