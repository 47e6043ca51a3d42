package org.trustfleet.device;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.core.TrustfleetException;

/**
 * Group commit of device reports: at a million devices the reports arrive by the thousand per second, and one
 * transaction per report would spend the database on round trips and commits. Requests queue their report here and
 * wait; one writer thread takes whatever has queued (up to {@code trustfleet.device.report-batch-size}) and stores
 * it with one multi-row UPDATE, which commits on its own (autocommit). A request is released only after the
 * statement holding its report has committed, so a 202 is never given for a report that is not durable.
 *
 * <p>The queue is bounded ({@code trustfleet.device.report-queue-capacity}); when it is full a request is refused at
 * once with 503 and {@code Retry-After} instead of waiting without bound. A batch that fails is retried report by
 * report on the same connection, so one bad report gets its own error and the others are stored; when the database
 * is unreachable every report of the batch gets that failure (503 at the edge) without a second wait for a
 * connection.
 */
@Singleton
public class ReportBatcher {
    private static final Logger LOG = Logger.getLogger(ReportBatcher.class);
    /** What a refused request is told to wait: a batch or two on a loaded machine. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    /**
     * The reports, and their devices' last-seen time in the same statement (so a device that reports is never read
     * as not seen since), written only where it is older than the granularity allows: a report usually follows the
     * payload fetch whose sighting was already noted.
     */
    private static final String UPDATE = """
            WITH reported AS (
                UPDATE device AS d SET reported_at = ?, reported_version = v.version, reported_installed = v.installed,
                    reported_failures = v.failures, api_level = v.api_level,
                    reports_received = d.reports_received + 1
                FROM unnest(?::uuid[], ?::bigint[], ?::text[], ?::text[], ?::int[])
                    AS v(id, version, installed, failures, api_level)
                WHERE d.id = v.id AND d.revoked_at IS NULL
                RETURNING d.id),
            seen AS (
                UPDATE device_seen AS s SET last_seen_at = ? FROM reported r
                WHERE s.device_id = r.id AND s.last_seen_at < ?)
            SELECT id FROM reported""";

    /** A report as stored: the JSON columns already written. */
    record StoredReport(UUID deviceId, long version, String installed, String failures, int apiLevel) {}

    /** A queued report and the request waiting for it. */
    record Pending(StoredReport report, CompletableFuture<Void> stored) {
        Pending(StoredReport report) {
            this(report, new CompletableFuture<>());
        }
    }

    private final AgroalDataSource db;
    private final Clock clock;
    private final int batchSize;
    private final Duration seenGranularity;
    private final BlockingQueue<Pending> queue;
    private final Thread writer;
    private volatile boolean stopping;
    /** A report held back from the last batch because its device already had one in it (written next, in order). */
    private Pending carried;

    @Inject
    public ReportBatcher(AgroalDataSource db, Clock clock, TrustfleetConfig config) {
        this(db, clock, config.device().reportBatchSize(), config.device().reportQueueCapacity(),
                config.device().lastSeenGranularity());
    }

    ReportBatcher(AgroalDataSource db, Clock clock, int batchSize, int queueCapacity, Duration seenGranularity) {
        this.db = db;
        this.clock = clock;
        this.batchSize = batchSize;
        this.seenGranularity = seenGranularity;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.writer = Thread.ofPlatform().name("device-report-writer").daemon().unstarted(this::run);
        this.writer.start();
    }

    /**
     * Stores the report and returns once it is committed. Throws 503 (with {@code Retry-After}) when the queue is
     * full, 401 when the device was revoked meanwhile, and whatever storing it failed with otherwise.
     */
    public void store(StoredReport report) {
        CompletableFuture<Void> stored = submit(report);
        try {
            stored.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the report was stored", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("cannot store the device report", e.getCause());
        }
    }

    /**
     * Queues the report and returns at once: the future completes when the report is committed, or fails with 401
     * when the device was revoked meanwhile and with whatever storing it failed with otherwise. Throws 503 (with
     * {@code Retry-After}) when the queue is full: nothing was queued then.
     */
    public CompletableFuture<Void> submit(StoredReport report) {
        Pending pending = new Pending(report);
        if (stopping || !queue.offer(pending)) {
            throw TrustfleetException.unavailable(
                    "too many device reports are waiting to be stored; retry later", RETRY_AFTER);
        }
        return pending.stored();
    }

    /** Reports waiting in the queue now (a gauge for tests and benchmarks). */
    int queued() {
        return queue.size();
    }

    private void run() {
        while (!stopping || !queue.isEmpty() || carried != null) {
            List<Pending> batch = new ArrayList<>();
            try {
                if (carried != null) {
                    batch.add(carried);
                    carried = null;
                } else {
                    Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                }
                Set<UUID> devices = new HashSet<>();
                devices.add(batch.get(0).report().deviceId());
                while (batch.size() < batchSize) {
                    Pending next = queue.poll();
                    if (next == null) {
                        break;
                    }
                    if (!devices.add(next.report().deviceId())) {
                        carried = next; // one row per device per statement; its later report goes next
                        break;
                    }
                    batch.add(next);
                }
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(batch, new IllegalStateException("the report writer was stopped", e));
                return;
            } catch (RuntimeException | Error e) {
                LOG.errorf(e, "Writing %d device reports failed", batch.size());
                fail(batch, e);
            }
        }
    }

    /** Writes one batch: one statement, then report by report if it failed. */
    void write(List<Pending> batch) {
        Connection c;
        try {
            c = db.getConnection();
        } catch (SQLException e) {
            fail(batch, new IllegalStateException("cannot store device reports", e));
            return;
        }
        try (c) {
            Instant now = clock.instant();
            try {
                Set<UUID> stored = update(c, batch, now);
                for (Pending p : batch) {
                    complete(p, stored.contains(p.report().deviceId()));
                }
            } catch (SQLException batchFailure) {
                if (batch.size() > 1) {
                    LOG.debugf("A batch of %d device reports failed (%s); storing them one by one", batch.size(),
                            batchFailure.getMessage());
                }
                for (Pending p : batch) {
                    try {
                        complete(p, update(c, List.of(p), now).contains(p.report().deviceId()));
                    } catch (SQLException e) {
                        p.stored().completeExceptionally(new IllegalStateException("cannot store the device report",
                                e));
                    }
                }
            }
        } catch (SQLException e) {
            // closing the connection failed: each report already has its answer
            LOG.debugf("Closing the report connection failed: %s", e.getMessage());
        }
    }

    private Set<UUID> update(Connection c, List<Pending> batch, Instant now) throws SQLException {
        int n = batch.size();
        UUID[] ids = new UUID[n];
        Long[] versions = new Long[n];
        String[] installed = new String[n];
        String[] failures = new String[n];
        Integer[] levels = new Integer[n];
        for (int i = 0; i < n; i++) {
            StoredReport r = batch.get(i).report();
            ids[i] = r.deviceId();
            versions[i] = r.version();
            installed[i] = r.installed();
            failures[i] = r.failures();
            levels[i] = r.apiLevel();
        }
        Set<UUID> stored = new HashSet<>();
        try (PreparedStatement s = c.prepareStatement(UPDATE)) {
            Timestamp at = Timestamp.from(now);
            s.setTimestamp(1, at);
            s.setArray(2, c.createArrayOf("uuid", ids));
            s.setArray(3, c.createArrayOf("bigint", versions));
            s.setArray(4, c.createArrayOf("text", installed));
            s.setArray(5, c.createArrayOf("text", failures));
            s.setArray(6, c.createArrayOf("int4", levels));
            s.setTimestamp(7, at);
            s.setTimestamp(8, Timestamp.from(now.minus(seenGranularity)));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    stored.add(r.getObject(1, UUID.class));
                }
            }
        }
        return stored;
    }

    private static void complete(Pending p, boolean stored) {
        if (stored) {
            p.stored().complete(null);
        } else {
            p.stored().completeExceptionally(new TrustfleetException(ErrorKind.UNAUTHENTICATED,
                    "the device token is unknown or revoked"));
        }
    }

    private static void fail(List<Pending> batch, Throwable failure) {
        RuntimeException e = failure instanceof RuntimeException r ? r : new CompletionException(failure);
        for (Pending p : batch) {
            p.stored().completeExceptionally(e);
        }
    }

    /**
     * Graceful shutdown stores what is queued (observed early, while the datasource is still open); new reports are
     * refused with 503 from here on.
     */
    void stop(@Observes @Priority(1) ShutdownEvent event) {
        close();
    }

    /** Stops taking reports, stores those queued and ends the writer. */
    void close() {
        stopping = true;
        try {
            writer.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // a request that queued while the writer was finishing is answered, not left waiting
        List<Pending> late = new ArrayList<>();
        queue.drainTo(late);
        fail(late, TrustfleetException.unavailable("the service is shutting down; retry later", RETRY_AFTER));
    }
}
