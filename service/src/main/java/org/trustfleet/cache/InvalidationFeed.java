package org.trustfleet.cache;

import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.logging.Logger;
import org.trustfleet.core.AfterCommit;
import org.trustfleet.core.TrustfleetConfig;

/**
 * The one cross-replica invalidation feed: a change to something a cache holds is a row {@code (cache_name,
 * cache_key)} in {@code cache_invalidation} (migration V20), written in the transaction that made the change,
 * either by {@link #publish} or by a database trigger (device credentials). Caches subscribe by name.
 *
 * <ul>
 *   <li>On the replica that made the change, {@link #publish} tells the subscribers as soon as the transaction
 *       commits.</li>
 *   <li>Every replica polls the table every {@code trustfleet.cache.invalidation-poll-interval} (Quarkus scheduler,
 *       run on every replica rather than once per cluster) and tells the subscribers what changed since its
 *       previous poll; each poll re-reads the last {@link #OVERLAP} so that a change whose transaction commits late
 *       is not missed; a row already told is not told again, by a poll or at its commit here. The first poll tells
 *       every subscriber to drop everything, and so does a poll after none succeeded for longer than the rows are
 *       kept ({@link #RETENTION}).</li>
 *   <li>{@link #fresh()} says whether the last successful poll started less than two intervals ago; a cache whose
 *       staleness must stay bounded (device tokens) is used only while it is.</li>
 * </ul>
 * Rows older than {@link #RETENTION} are deleted by the polls.
 */
@Singleton
public class InvalidationFeed {
    private static final Logger LOG = Logger.getLogger(InvalidationFeed.class);
    /** How far back each poll looks beyond the previous one (for late-committing changes). */
    static final Duration OVERLAP = Duration.ofMinutes(1);
    /** How long feed rows are kept; far longer than any poll interval plus {@link #OVERLAP}. */
    static final Duration RETENTION = Duration.ofHours(1);

    /** What a cache does when the feed reports changes to it. */
    public interface Subscriber {
        /** The entries named by these keys changed. */
        void invalidate(Set<String> keys);

        /** Anything may have changed (first poll): drop everything. */
        void invalidateAll();
    }

    private final AgroalDataSource db;
    private final TransactionSynchronizationRegistry transactions;
    private final long trustNanos;
    private final Map<String, List<Subscriber>> subscribers = new ConcurrentHashMap<>();
    /** System.nanoTime() at the start of the last successful poll. */
    private volatile long lastPollStart;
    private volatile boolean polledOnce;
    /** Completed by the first successful poll, once it has told every subscriber to drop everything. */
    private final CompletableFuture<Void> firstPoll = new CompletableFuture<>();
    /** Database time from which the next poll looks for changes; null before the first poll. */
    private Timestamp cursor;
    /**
     * Ids of the rows at or after {@link #cursor} that were already told: each poll re-reads {@link #OVERLAP}, and a
     * change told again at every poll of that minute would keep dropping the same entries (measured: with one
     * payload change just before a burst, 100,000 devices' deliveries were dropped every poll for a minute).
     */
    private Set<Long> toldSinceCursor = Set.of();
    /**
     * Ids of the rows this replica published and told its subscribers of when they committed, with when
     * ({@link System#nanoTime()}): the poll that reads them does not tell them again. Told twice, a change moved
     * counters twice (the scanner's CA generation, once after its own scan had committed) and dropped caches twice.
     */
    private final Map<Long, Long> toldAtCommit = new ConcurrentHashMap<>();

    public InvalidationFeed(AgroalDataSource db, TransactionSynchronizationRegistry transactions,
            TrustfleetConfig config) {
        this.db = db;
        this.transactions = transactions;
        Duration interval = config.cache().invalidationPollInterval();
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalStateException("trustfleet.cache.invalidation-poll-interval must be positive");
        }
        this.trustNanos = interval.multipliedBy(2).toNanos();
    }

    /** Registers a cache for the changes published under {@code cacheName}. */
    public void subscribe(String cacheName, Subscriber subscriber) {
        subscribers.computeIfAbsent(cacheName, n -> new CopyOnWriteArrayList<>()).add(subscriber);
    }

    /**
     * Records, in the caller's transaction, that the entry {@code key} of the caches named {@code cacheName} changed:
     * this replica's subscribers hear of it when the transaction commits (not at all if it rolls back), the other
     * replicas' at their next poll. Outside a transaction the row is written and this replica told at once.
     */
    public void publish(String cacheName, String key) {
        publishAll(cacheName, List.of(key));
    }

    /**
     * As {@link #publish}, for several entries of the same caches: one row each, written in one statement, and this
     * replica's subscribers told of them together.
     */
    public void publishAll(String cacheName, Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        List<Long> ids = new ArrayList<>(keys.size());
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO cache_invalidation (cache_name, cache_key)
                SELECT ?, k FROM unnest(CAST(? AS text[])) AS k RETURNING id""")) {
            s.setString(1, cacheName);
            s.setArray(2, c.createArrayOf("text", keys.toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot publish a cache invalidation", e);
        }
        Set<String> changed = Set.copyOf(keys);
        AfterCommit.run(transactions, () -> {
            long now = System.nanoTime();
            ids.forEach(id -> toldAtCommit.put(id, now));
            tell(Map.of(cacheName, changed));
        });
    }

    /**
     * Completes once the first poll has told every subscriber to drop everything (on the polling thread): a cache
     * filled in bulk at start (the device tokens) is filled after it, or that drop would empty it again. Never
     * completes if no poll succeeds.
     */
    public CompletionStage<Void> firstPolled() {
        return firstPoll.minimalCompletionStage();
    }

    /** Whether the last successful poll started less than two poll intervals ago. */
    public boolean fresh() {
        return polledOnce && System.nanoTime() - lastPollStart < trustNanos;
    }

    @Scheduled(identity = "cache-invalidation-feed", every = "${trustfleet.cache.invalidation-poll-interval}",
            executeWith = Scheduled.SIMPLE, concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void pollQuietly() {
        try {
            poll();
        } catch (RuntimeException e) {
            LOG.warnf("Polling the cache invalidation feed failed (caches that need it are bypassed until a poll "
                    + "succeeds): %s", e.getMessage());
        }
    }

    /** One poll: tells each subscriber what changed since the previous poll. */
    synchronized void poll() {
        long start = System.nanoTime();
        Map<String, Set<String>> changed = new HashMap<>();
        Map<Long, Timestamp> rows = new HashMap<>();
        Timestamp dbNow;
        try (Connection c = db.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("SELECT clock_timestamp()");
                    ResultSet r = s.executeQuery()) {
                r.next();
                dbNow = r.getTimestamp(1);
            }
            if (cursor != null) {
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT id, cache_name, cache_key, changed_at FROM cache_invalidation WHERE changed_at >= ?")) {
                    s.setTimestamp(1, cursor);
                    try (ResultSet r = s.executeQuery()) {
                        while (r.next()) {
                            long id = r.getLong(1);
                            rows.put(id, r.getTimestamp(4));
                            // a row told at its commit here counts as told (removed: the poll remembers it now)
                            if (toldAtCommit.remove(id) == null && !toldSinceCursor.contains(id)) {
                                changed.computeIfAbsent(r.getString(2), n -> new HashSet<>()).add(r.getString(3));
                            }
                        }
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM cache_invalidation WHERE changed_at < ?")) {
                s.setTimestamp(1, Timestamp.from(dbNow.toInstant().minus(RETENTION)));
                s.executeUpdate();
            }
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot poll the cache invalidation feed", ex);
        }
        if (cursor == null || cursor.toInstant().isBefore(dbNow.toInstant().minus(RETENTION))) {
            // the first poll: whatever was cached before it may predate any change, so start from scratch. Likewise
            // after polls failed for longer than the rows are kept: the rows of changes since the last successful
            // poll may be deleted already (by another replica's polls), so what they said cannot be known
            subscribers.values().forEach(list -> list.forEach(Subscriber::invalidateAll));
        } else {
            tell(changed);
        }
        cursor = Timestamp.from(dbNow.toInstant().minus(OVERLAP));
        Set<Long> told = new HashSet<>();
        Timestamp next = cursor;
        rows.forEach((id, at) -> {
            if (!at.before(next)) {
                told.add(id);
            }
        });
        toldSinceCursor = told;
        // rows no poll read (published before the first poll looked back far enough): forgotten with the table's rows
        toldAtCommit.values().removeIf(at -> start - at > RETENTION.toNanos());
        lastPollStart = start;
        polledOnce = true;
        firstPoll.complete(null);
    }

    /**
     * Moves the last successful poll {@code back} into the past, as if no poll had succeeded since (tests: a replica
     * cut off from the database for a while): the feed is not {@link #fresh()} once that is two intervals, and the
     * next poll looks for changes from there.
     */
    synchronized void lookBack(Duration back) {
        cursor = Timestamp.from(cursor.toInstant().minus(back));
        lastPollStart -= back.toNanos();
    }

    private void tell(Map<String, Set<String>> changed) {
        changed.forEach((name, keys) -> {
            for (Subscriber s : subscribers.getOrDefault(name, List.of())) {
                s.invalidate(keys);
            }
        });
    }

}
