package org.trustfleet.device;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.transaction.Transactional;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Keeps {@code device_seen.last_seen_at} current without a write per request: sightings are noted in memory (the
 * caller notes a device at most once per {@code trustfleet.device.last-seen-granularity}, a minute by default) and
 * written in batched UPDATEs every {@code trustfleet.device.last-seen-flush-interval} on every replica, before
 * devices are read on this replica, and at shutdown.
 */
// @Singleton: no client proxy on the device payload hot path
@Singleton
public class LastSeenRecorder {
    private static final Logger LOG = Logger.getLogger(LastSeenRecorder.class);
    private static final int BATCH = 5000;

    private final AgroalDataSource db;
    private final Map<UUID, Instant> pending = new ConcurrentHashMap<>();
    private final Object flushLock = new Object();

    public LastSeenRecorder(AgroalDataSource db) {
        this.db = db;
    }

    /** Notes that the device was seen at {@code at} (never blocks; written by the next flush). */
    public void note(UUID deviceId, Instant at) {
        pending.merge(deviceId, at, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** The sighting of the device not written yet, or {@code null}. */
    Instant pending(UUID deviceId) {
        return pending.get(deviceId);
    }

    /**
     * Writes the pending times now (batched UPDATEs, outside any caller transaction so that a caller's rollback
     * cannot lose them); what fails stays pending for the next flush.
     */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public void flush() {
        if (pending.isEmpty()) {
            return;
        }
        synchronized (flushLock) {
            Iterator<Map.Entry<UUID, Instant>> it = pending.entrySet().iterator();
            while (it.hasNext()) {
                List<UUID> ids = new ArrayList<>();
                List<Instant> times = new ArrayList<>();
                while (it.hasNext() && ids.size() < BATCH) {
                    Map.Entry<UUID, Instant> e = it.next();
                    ids.add(e.getKey());
                    times.add(e.getValue());
                }
                write(ids, times);
                for (int i = 0; i < ids.size(); i++) {
                    pending.remove(ids.get(i), times.get(i)); // a later sighting noted meanwhile stays pending
                }
            }
        }
    }

    @Scheduled(identity = "device-last-seen-flush", every = "${trustfleet.device.last-seen-flush-interval}",
            delayed = "${trustfleet.device.last-seen-flush-interval}", executeWith = Scheduled.SIMPLE,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warnf("Writing last-seen times failed (kept for the next flush): %s", e.getMessage());
        }
    }

    /** Graceful shutdown loses no sighting (observed early, while the datasource is still open). */
    void stop(@Observes @Priority(1) ShutdownEvent event) {
        flushQuietly();
    }

    private void write(List<UUID> ids, List<Instant> times) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                UPDATE device_seen AS s SET last_seen_at = v.seen
                FROM unnest(?::uuid[], ?::timestamptz[]) AS v(id, seen)
                WHERE s.device_id = v.id AND s.last_seen_at < v.seen""")) {
            Timestamp[] ts = new Timestamp[times.size()];
            for (int i = 0; i < ts.length; i++) {
                ts[i] = Timestamp.from(times.get(i));
            }
            Array idArray = c.createArrayOf("uuid", ids.toArray());
            Array timeArray = c.createArrayOf("timestamptz", ts);
            s.setArray(1, idArray);
            s.setArray(2, timeArray);
            s.executeUpdate();
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot update last seen", ex);
        }
    }
}
