package org.trustfleet.device;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.transaction.Transactional;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Keeps {@code device_seen.last_seen_at} current without a write per request: sightings are noted in memory (the
 * caller notes a device at most once per {@code trustfleet.device.last-seen-granularity}, a minute by default) and
 * written in batched UPDATEs every {@code trustfleet.device.last-seen-flush-interval} on every replica, before
 * devices are read on this replica, and at shutdown.
 *
 * <p>Noting is on the payload hot path, once per request of a device not noted within the granularity (every request
 * of a fleet fetching every 15 minutes), so a sighting is three {@code long}s appended to a buffer of the calling
 * thread's stripe: no map entry, no object per sighting. The flush sends a batch as two binary parameters (the ids'
 * bytes and the times in microseconds) rather than as text arrays of ids and timestamps, and the database keeps the
 * latest time of a device noted twice. A batch the database refused is kept, one latest time per device, for the
 * next flush, so what is kept while the database refuses writes is bounded by the number of devices.
 */
// @Singleton: no client proxy on the device payload hot path
@Singleton
public class LastSeenRecorder {
    private static final Logger LOG = Logger.getLogger(LastSeenRecorder.class);
    private static final int BATCH = 5000;
    /** The ids (16 bytes each, in the order of the times) and the times of one batch, latest per device. */
    private static final String UPDATE = """
            UPDATE device_seen AS s SET last_seen_at = v.seen
            FROM (SELECT encode(substring(?::bytea FROM (u.n::int - 1) * 16 + 1 FOR 16), 'hex')::uuid AS id,
                         max(timestamptz 'epoch' + u.micros * interval '1 microsecond') AS seen
                  FROM unnest(?::bigint[]) WITH ORDINALITY AS u(micros, n) GROUP BY 1) AS v
            WHERE s.device_id = v.id AND s.last_seen_at < v.seen""";

    private final AgroalDataSource db;
    private final Stripe[] stripes;
    private final Object flushLock = new Object();
    /** Sightings of batches the database refused, latest per device (guarded by {@link #flushLock}). */
    private final Map<UUID, Long> refused = new HashMap<>();

    public LastSeenRecorder(AgroalDataSource db) {
        this.db = db;
        // a few stripes per core: the event-loop threads that note sightings rarely share one
        int count = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 4 - 1) << 1;
        this.stripes = new Stripe[count];
        for (int i = 0; i < count; i++) {
            stripes[i] = new Stripe();
        }
    }

    /** Notes that the device was seen at {@code at} (never waits for the database; written by the next flush). */
    public void note(UUID deviceId, Instant at) {
        note(deviceId.getMostSignificantBits(), deviceId.getLeastSignificantBits(), micros(at));
    }

    /** As {@link #note(UUID, Instant)}: the device id's two halves, the time in {@link #micros microseconds}. */
    void note(long deviceIdHigh, long deviceIdLow, long epochMicros) {
        stripes[(int) Thread.currentThread().threadId() & (stripes.length - 1)].add(deviceIdHigh, deviceIdLow,
                epochMicros);
    }

    /** An instant as microseconds since the epoch: the precision of the database's timestamps. */
    static long micros(Instant at) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, at);
    }

    /**
     * Writes the noted times now (batched UPDATEs, outside any caller transaction so that a caller's rollback cannot
     * lose them); what fails is kept for the next flush.
     */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public void flush() {
        synchronized (flushLock) {
            Sightings all = drain();
            for (int from = 0; from < all.count(); from += BATCH) {
                int to = Math.min(all.count(), from + BATCH);
                try {
                    write(all, from, to);
                } catch (RuntimeException e) {
                    for (int i = from; i < all.count(); i++) {
                        refused.merge(new UUID(all.msb(i), all.lsb(i)), all.micros(i), Math::max);
                    }
                    throw e;
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

    /** Everything noted so far and every refused sighting, taken out of the stripes and {@link #refused}. */
    private Sightings drain() {
        long[][] taken = new long[stripes.length][];
        int longs = refused.size() * 3;
        for (int i = 0; i < stripes.length; i++) {
            taken[i] = stripes[i].drain();
            longs += taken[i].length;
        }
        long[] all = new long[longs];
        int at = 0;
        for (long[] t : taken) {
            System.arraycopy(t, 0, all, at, t.length);
            at += t.length;
        }
        for (Map.Entry<UUID, Long> e : refused.entrySet()) {
            all[at++] = e.getKey().getMostSignificantBits();
            all[at++] = e.getKey().getLeastSignificantBits();
            all[at++] = e.getValue();
        }
        refused.clear();
        return new Sightings(all);
    }

    private void write(Sightings all, int from, int to) {
        ByteBuffer ids = ByteBuffer.allocate((to - from) * 16);
        long[] micros = new long[to - from];
        for (int i = from; i < to; i++) {
            ids.putLong(all.msb(i)).putLong(all.lsb(i));
            micros[i - from] = all.micros(i);
        }
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(UPDATE)) {
            s.setBytes(1, ids.array());
            s.setObject(2, micros);
            s.executeUpdate();
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot update last seen", ex);
        }
    }

    /** Sightings as consecutive (id's high bits, id's low bits, microseconds since the epoch) triples. */
    private record Sightings(long[] triples) {
        int count() {
            return triples.length / 3;
        }

        long msb(int i) {
            return triples[3 * i];
        }

        long lsb(int i) {
            return triples[3 * i + 1];
        }

        long micros(int i) {
            return triples[3 * i + 2];
        }
    }

    /** One stripe's sightings since the last flush, appended under the stripe's own lock. */
    private static final class Stripe {
        private static final int INITIAL = 3 * 256;
        private long[] triples = new long[INITIAL];
        private int size;

        synchronized void add(long msb, long lsb, long micros) {
            if (size == triples.length) {
                triples = Arrays.copyOf(triples, size * 2);
            }
            triples[size] = msb;
            triples[size + 1] = lsb;
            triples[size + 2] = micros;
            size += 3;
        }

        synchronized long[] drain() {
            long[] taken = Arrays.copyOf(triples, size);
            size = 0;
            return taken;
        }
    }
}
