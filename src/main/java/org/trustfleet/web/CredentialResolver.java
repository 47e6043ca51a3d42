package org.trustfleet.web;

import java.util.Optional;
import org.trustfleet.tenant.Caller;

/**
 * Turns a bearer token into a caller. Each kind of credential (API keys, device tokens) contributes one
 * implementation; the access filter asks each in turn.
 */
public interface CredentialResolver {
    /** The caller the token stands for, if this resolver knows it. May block (database). */
    Optional<Caller> resolve(String token);

    /**
     * What this resolver can tell from memory alone, never blocking: used by the access filter on the event loop
     * (non-blocking endpoints). The default knows nothing without blocking.
     */
    default Answer resolveWithoutBlocking(String token) {
        return Answer.NEEDS_BLOCKING;
    }

    /** A resolver's answer from memory: a caller, "not my kind of token", or "cannot tell without blocking". */
    record Answer(Caller caller, boolean needsBlocking) {
        /** The token is not of this resolver's kind ({@link #resolve} would answer empty, without blocking). */
        public static final Answer NOT_MINE = new Answer(null, false);
        /** Only {@link #resolve} (which may block) can tell. */
        public static final Answer NEEDS_BLOCKING = new Answer(null, true);

        public static Answer of(Caller caller) {
            return new Answer(caller, false);
        }
    }
}
