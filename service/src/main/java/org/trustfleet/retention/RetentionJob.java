package org.trustfleet.retention;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.All;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import org.trustfleet.core.TrustfleetConfig;

/**
 * Prunes old history in the background so that tables holding scans and events stay bounded at fleet scale. Every
 * {@code trustfleet.retention.interval} each replica tries to take one PostgreSQL advisory lock; the replica that
 * gets it runs every {@link RetentionTask} in batches of {@code trustfleet.retention.batch-size} rows (each batch its
 * own short transaction, so scans and reports are never held up for long), at most
 * {@code trustfleet.retention.max-batches-per-run} batches per task and run, and the others skip the run. The lock is
 * a session lock on the connection doing the work: if that replica dies, PostgreSQL releases it with the session.
 */
@Singleton
public class RetentionJob {
    private static final Logger LOG = Logger.getLogger(RetentionJob.class);
    /** The advisory lock key of the retention run ("tfretain" as ASCII, an arbitrary constant of this application). */
    static final long LOCK_KEY = 0x7466726574616e6eL;

    private final AgroalDataSource db;
    private final List<RetentionTask> tasks;
    private final Clock clock;
    private final int batchSize;
    private final int maxBatches;
    private final MeterRegistry metrics;

    public RetentionJob(AgroalDataSource db, @All List<RetentionTask> tasks, Clock clock, TrustfleetConfig config,
            MeterRegistry metrics) {
        this.db = db;
        this.tasks = tasks;
        this.clock = clock;
        this.batchSize = config.retention().batchSize();
        this.maxBatches = config.retention().maxBatchesPerRun();
        this.metrics = metrics;
        if (batchSize < 1 || maxBatches < 1) {
            throw new IllegalArgumentException(
                    "trustfleet.retention.batch-size and max-batches-per-run must be at least 1");
        }
    }

    @Scheduled(identity = "retention", every = "${trustfleet.retention.interval}", executeWith = Scheduled.SIMPLE,
            delayed = "${trustfleet.retention.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = RetentionDisabled.class)
    void scheduled() {
        try {
            run();
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("Retention run failed (retried at the next interval): %s", e.getMessage());
        }
    }

    /**
     * One retention run: what each task deleted, by task name; empty when another replica holds the lock.
     */
    public Map<String, Integer> run() throws SQLException {
        Map<String, Integer> deleted = new LinkedHashMap<>();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(true);
            if (!lock(c, "pg_try_advisory_lock")) {
                return deleted;
            }
            try {
                Instant now = clock.instant();
                for (RetentionTask task : tasks) {
                    int total = 0;
                    for (int i = 0; i < maxBatches; i++) {
                        int n = task.pruneBatch(c, now, batchSize);
                        total += n;
                        if (n < batchSize) {
                            break;
                        }
                    }
                    deleted.put(task.name(), total);
                    metrics.counter("trustfleet_retention_deleted_total", "history", task.name()).increment(total);
                    if (total > 0) {
                        LOG.infof("Retention deleted %d %s", total, task.name());
                    }
                }
            } finally {
                lock(c, "pg_advisory_unlock");
            }
        }
        return deleted;
    }

    private static boolean lock(Connection c, String function) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + function + "(?)")) {
            s.setLong(1, LOCK_KEY);
            try (ResultSet r = s.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        }
    }

    /** Skips scheduled runs when {@code trustfleet.retention.enabled} is false. */
    @Singleton
    public static class RetentionDisabled implements Scheduled.SkipPredicate {
        private final boolean enabled;

        public RetentionDisabled(TrustfleetConfig config) {
            this.enabled = config.retention().enabled();
        }

        @Override
        public boolean test(io.quarkus.scheduler.ScheduledExecution execution) {
            return !enabled;
        }
    }
}
