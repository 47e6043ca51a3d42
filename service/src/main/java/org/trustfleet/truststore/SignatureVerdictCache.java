package org.trustfleet.truststore;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Observes;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import org.trustfleet.cache.BoundedCache;
import org.trustfleet.cache.Caches;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.pki.SignatureVerdicts;

/**
 * Gives pki's remembered signature verdicts ({@link SignatureVerdicts}) their memory before any request or background
 * job runs: a bounded cache in this replica ({@code signature-verdicts}, at most
 * {@code trustfleet.cache.signature-verdicts-max-entries}) in front of the {@code signature_verdict} table, which
 * every replica shares. A platform store change re-judges every endpoint's chain, and its leaves' signatures are then
 * answered from memory instead of checked again; the table makes that true on a replica that has just started, and
 * for leaves another replica (or a scan) checked. A verdict never goes stale (it is a function of the exact bytes
 * checked), so nothing invalidates it and replicas need not agree on what they keep.
 *
 * <p>New verdicts are written in the background (every {@code trustfleet.cache.signature-verdicts-write-interval}, in
 * batches; what is left when the replica stops), never on the thread that checked: a verdict lost with a replica that
 * dies is only checked again. The table is read when the replica starts
 * and when its sweep takes up a store change ({@link #refresh}, rows written since the last read). A row is the
 * trust of the signature it names, so the table is as trusted as the rest of the database: whoever can write it can
 * already write requirements. Rows nobody used for {@code trustfleet.retention.signature-verdict-age} are pruned
 * (retention); a verdict still used is written again once a third of that age has passed, so it is never pruned.
 */
@Singleton
public class SignatureVerdictCache {
    private static final Logger LOG = Logger.getLogger(SignatureVerdictCache.class);
    /** Verdicts written per statement. */
    static final int WRITE_BATCH = 1000;
    /** Verdicts waiting to be written; more are dropped (checked again if needed) until the writer catches up. */
    static final int WRITE_QUEUE = 200_000;
    /** How far before the newest row read the next read starts: rows whose transaction committed late. */
    static final Duration READ_OVERLAP = Duration.ofSeconds(10);

    /** A verdict in memory, with when this replica knows it was last written to the table. */
    record Kept(boolean verifies, long keptAtSecond) {
    }

    /** A verdict to write. */
    private record Unwritten(SignatureVerdicts.Key key, boolean verifies) {
    }

    private final BoundedCache<SignatureVerdicts.Key, Kept> verdicts;
    private final AgroalDataSource db;
    private final Clock clock;
    private final long maxEntries;
    private final long rewriteAfterSeconds;
    private final BlockingQueue<Unwritten> unwritten = new ArrayBlockingQueue<>(WRITE_QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    /** Held while writing: the scheduled writes and the last one at shutdown take turns. */
    private final Object writing = new Object();
    /** Where the next {@link #refresh} reads from; null: everything (nothing read yet). */
    private Instant readFrom;

    public SignatureVerdictCache(TrustfleetConfig config, AgroalDataSource db, Clock clock) {
        this.maxEntries = config.cache().signatureVerdictsMaxEntries();
        this.verdicts = Caches.bounded("signature-verdicts", maxEntries);
        this.db = db;
        this.clock = clock;
        Duration age = config.retention().signatureVerdictAge();
        if (age.compareTo(Duration.ofDays(1)) < 0) {
            throw new IllegalArgumentException("trustfleet.retention.signature-verdict-age must be at least 1d");
        }
        this.rewriteAfterSeconds = age.dividedBy(3).toSeconds();
    }

    void onStart(@Observes StartupEvent event) {
        SignatureVerdicts.install(new SignatureVerdicts.Memory() {
            @Override
            public Boolean find(SignatureVerdicts.Key key) {
                Kept kept = verdicts.get(key);
                if (kept == null) {
                    return null;
                }
                long now = clock.instant().getEpochSecond();
                if (now - kept.keptAtSecond() > rewriteAfterSeconds) {
                    verdicts.put(key, new Kept(kept.verifies(), now));  // written again: still used, not pruned
                    queue(key, kept.verifies());
                }
                return kept.verifies();
            }

            @Override
            public void keep(SignatureVerdicts.Key key, boolean verifies) {
                verdicts.put(key, new Kept(verifies, clock.instant().getEpochSecond()));
                queue(key, verifies);
            }
        });
        // the verdicts kept before this replica started, read while it takes its first requests (a sweep that
        // starts meanwhile waits for them in its own refresh)
        Thread.ofPlatform().daemon().name("signature-verdicts-read").start(this::refresh);
    }

    void onStop(@Observes ShutdownEvent event) {
        write();
        SignatureVerdicts.uninstall();
    }

    private void queue(SignatureVerdicts.Key key, boolean verifies) {
        if (!unwritten.offer(new Unwritten(key, verifies))) {
            dropped.incrementAndGet();
        }
    }

    /**
     * Reads the verdicts written to the table since the last read (at start, all of them: the newest
     * {@code signature-verdicts-max-entries}) into this replica's memory, and returns how many it read. A failure is
     * logged, not thrown: without the rows, signatures are checked again.
     */
    public synchronized int refresh() {
        long started = System.nanoTime();
        Instant from = readFrom;
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT id, verifies, kept_at FROM signature_verdict"
                        + (from == null ? "" : " WHERE kept_at > ?") + " ORDER BY kept_at DESC LIMIT ?")) {
            int p = 1;
            if (from != null) {
                s.setTimestamp(p++, Timestamp.from(from));
            }
            s.setLong(p, maxEntries);
            s.setFetchSize(10_000);
            int read = 0;
            Instant newest = null;
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Instant keptAt = r.getTimestamp(3).toInstant();
                    if (newest == null) {
                        newest = keptAt;
                    }
                    verdicts.put(SignatureVerdicts.Key.of(r.getBytes(1)), new Kept(r.getBoolean(2),
                            keptAt.getEpochSecond()));
                    read++;
                }
            }
            if (read > 0) {
                LOG.infof("Read %d kept signature verdicts in %.1f s", read, (System.nanoTime() - started) / 1e9);
            }
            if (newest != null) {
                readFrom = newest.minus(READ_OVERLAP);
            } else if (from == null) {
                readFrom = clock.instant().minus(READ_OVERLAP);  // an empty table: later reads only what is new
            }
            return read;
        } catch (SQLException e) {
            LOG.warnf("Reading the kept signature verdicts failed (their signatures are checked again): %s",
                    e.getMessage());
            return 0;
        }
    }

    @Scheduled(identity = "signature-verdicts-write", every = "${trustfleet.cache.signature-verdicts-write-interval}",
            executeWith = Scheduled.SIMPLE,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledWrite() {
        write();
    }

    /** Writes the verdicts waiting to be written, in batches on one connection; returns how many rows it wrote. */
    int write() {
        synchronized (writing) {
            long lost = dropped.getAndSet(0);
            if (lost > 0) {
                LOG.warnf("%d signature verdicts were not written (more than %d waited): they are checked again on "
                        + "the replicas that do not have them", lost, WRITE_QUEUE);
            }
            if (unwritten.isEmpty()) {
                return 0;
            }
            int written = 0;
            List<Unwritten> taken = new ArrayList<>(WRITE_BATCH);
            try (Connection c = db.getConnection();
                    PreparedStatement s = c.prepareStatement("""
                            INSERT INTO signature_verdict (id, verifies)
                            SELECT * FROM unnest(?::bytea[], ?::boolean[])
                            ON CONFLICT (id) DO UPDATE SET verifies = EXCLUDED.verifies, kept_at = now()""")) {
                while (unwritten.drainTo(taken, WRITE_BATCH) > 0) {
                    // one row per key in a statement (ON CONFLICT updates a row once); the same key twice has one
                    // verdict
                    Map<SignatureVerdicts.Key, Boolean> rows = new LinkedHashMap<>();
                    taken.forEach(u -> rows.put(u.key(), u.verifies()));
                    taken.clear();
                    s.setArray(1, c.createArrayOf("bytea",
                            rows.keySet().stream().map(SignatureVerdicts.Key::bytes).toArray(byte[][]::new)));
                    s.setArray(2, c.createArrayOf("boolean", rows.values().toArray(Boolean[]::new)));
                    written += s.executeUpdate();
                }
            } catch (SQLException e) {
                LOG.warnf("Writing signature verdicts failed after %d rows (the rest are checked again on the "
                        + "replicas that do not have them): %s", written, e.getMessage());
            }
            return written;
        }
    }

    /** Forgets what this replica holds and has read, as a restart would (tests). */
    synchronized void forget() {
        verdicts.invalidateAll();
        readFrom = null;
    }
}
