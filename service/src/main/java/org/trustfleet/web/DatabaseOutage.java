package org.trustfleet.web;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Tells a failure to reach PostgreSQL (stopped, restarting, failing over, or no pooled connection free within the
 * acquisition timeout) from every other failure, wherever the persistence layer wrapped it. Such a request will work
 * once the database is back, so the edge answers it with 503 {@code unavailable} and {@code Retry-After} instead of
 * a 500 that a client must not retry. (It usually stored nothing; when the connection was lost during the commit
 * itself the outcome is unknown, which the device operations tolerate: a report replaces the previous one.)
 */
final class DatabaseOutage {
    /** What clients are told to wait: about a pool acquisition timeout, long enough not to add to the load. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);
    static final String DETAIL = "the database is not reachable at the moment; retry later";

    /** SQLSTATE class 08 (connection exception) and the 57P0x server shutdown / start-up states. */
    private static final Set<String> SHUTDOWN_STATES = Set.of("57P01", "57P02", "57P03");

    private DatabaseOutage() {}

    /**
     * Whether {@code failure}, or anything in its cause chain or among the exceptions suppressed along it, says that
     * the database could not be reached. A commit that loses its connection is reported by the transaction manager
     * as a {@code RollbackException} whose reason is only a suppressed {@code XAException}, so causes alone miss it.
     */
    static boolean causedBy(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> pending = new ArrayDeque<>();
        if (failure != null) {
            pending.push(failure);
        }
        while (!pending.isEmpty()) {
            Throwable t = pending.pop();
            if (!seen.add(t)) {
                continue;
            }
            if (says(t)) {
                return true;
            }
            if (t.getCause() != null) {
                pending.push(t.getCause());
            }
            for (Throwable s : t.getSuppressed()) {
                pending.push(s);
            }
        }
        return false;
    }

    private static boolean says(Throwable t) {
        if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException) {
            return true;
        }
        if (t instanceof SQLException sql) {
            String state = sql.getSQLState() == null ? "" : sql.getSQLState().toUpperCase(Locale.ROOT);
            if (state.startsWith("08") || SHUTDOWN_STATES.contains(state)) {
                return true;
            }
            // the pool (Agroal) gave up waiting for a connection: "Acquisition timeout while waiting for new
            // connection", a plain SQLException whose cause is the wait's TimeoutException
            return sql.getCause() instanceof TimeoutException;
        }
        return false;
    }

    /** The cause-chain messages in one line, for the log: which of the cases above it was, without a stack trace. */
    static String summary(Throwable failure) {
        StringBuilder out = new StringBuilder();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (out.length() > 0) {
                out.append(" <- ");
            }
            out.append(t.getClass().getSimpleName());
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                out.append('[').append(sql.getSQLState()).append(']');
            }
        }
        return out.toString();
    }
}
