package org.trustfleet.console;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.tenant.ApiKeyService;
import org.trustfleet.tenant.BearerTokens;
import org.trustfleet.tenant.Caller;
import org.trustfleet.tenant.FailedAttemptLimiter;
import org.trustfleet.tenant.FailedAttemptLimiter.Door;
import org.trustfleet.tenant.Role;

/**
 * Console sessions: a browser signs in once with an API key (or the operator token) and then presents a random
 * session value in a cookie instead; the key itself never reaches the browser's storage.
 *
 * <p>Sessions live in PostgreSQL as SHA-256 hashes of the cookie value, so every replica honours them and signing
 * out on one ends them on all. Each lookup joins the live API key, so revoking the key ends its sessions at the next
 * request on any replica. A session ends after {@code trustfleet.console.idle-timeout} without use and
 * {@code trustfleet.console.absolute-timeout} after sign-in, by the injected clock.
 *
 * <p>The CSRF token of a session is an HMAC of a fixed label under the session value: it needs no storage, is
 * different for every session and cannot be computed without the cookie, which scripts of other sites never see.
 */
@ApplicationScoped
public class ConsoleSessions {
    static final String TOKEN_PREFIX = "tfs";
    private static final byte[] CSRF_LABEL = "trustfleet console csrf v1".getBytes(StandardCharsets.UTF_8);
    private static final int MAX_VALUE_LENGTH = 200;

    private final AgroalDataSource db;
    private final ApiKeyService keys;
    private final FailedAttemptLimiter limiter;
    private final Clock clock;
    private final Duration idle;
    private final Duration absolute;
    private final Duration touchEvery;

    /** A new session: the cookie value (shown to the browser once, stored only hashed) and who signed in. */
    public record SignedIn(String cookieValue, Caller caller) {}

    public ConsoleSessions(AgroalDataSource db, ApiKeyService keys, FailedAttemptLimiter limiter, Clock clock,
            TrustfleetConfig config) {
        this.db = db;
        this.keys = keys;
        this.limiter = limiter;
        this.clock = clock;
        this.idle = config.console().idleTimeout();
        this.absolute = config.console().absoluteTimeout();
        // last use is written at most this often, so a page view costs no write; idle expiry is that much coarser
        Duration tenth = idle.dividedBy(10);
        this.touchEvery = tenth.compareTo(Duration.ofMinutes(1)) < 0 ? tenth : Duration.ofMinutes(1);
    }

    /**
     * Signs in with an API key or the operator token from {@code address}. Unknown, revoked and device tokens all
     * fail the same way (401) and count against the address; an address over the limit gets 429 even with a valid
     * token.
     */
    // no transaction: a failure recorded by the limiter must survive the 401 thrown after it
    public SignedIn signIn(String token, String address) {
        Optional<Duration> blocked = limiter.blockedFor(Door.CONSOLE_SIGN_IN, address);
        if (blocked.isPresent()) {
            throw tooManyFailures(blocked.get());
        }
        Optional<Caller> caller = token == null || token.isBlank() || token.length() > MAX_VALUE_LENGTH
                ? Optional.empty() : keys.authenticate(token.strip());
        if (caller.isEmpty() || caller.get().role() == Role.DEVICE) {
            // counted only while the window has room: sign-ins racing past the check above get 429 here
            Optional<Duration> full = limiter.recordFailure(Door.CONSOLE_SIGN_IN, address);
            if (full.isPresent()) {
                throw tooManyFailures(full.get());
            }
            throw new TrustfleetException(ErrorKind.UNAUTHENTICATED, "the token is unknown or revoked");
        }
        purgeExpired();
        return new SignedIn(store(caller.get().credentialId()), caller.get());
    }

    private static TrustfleetException tooManyFailures(Duration wait) {
        return TrustfleetException.rateLimited("too many failed sign-ins from this address; try again later", wait);
    }

    // outside a transaction (sign-in runs in none, so that a failure it records is not rolled back): one INSERT
    private String store(UUID apiKeyId) {
        String value = BearerTokens.generate(TOKEN_PREFIX);
        Instant now = clock.instant();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO console_session (token_hash, api_key_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)")) {
            s.setBytes(1, BearerTokens.hash(value));
            s.setObject(2, apiKeyId);
            s.setTimestamp(3, Timestamp.from(now));
            s.setTimestamp(4, Timestamp.from(now));
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("storing a console session failed", e);
        }
        return value;
    }

    /**
     * The caller a session cookie stands for, if the session exists, is within both timeouts and its API key is not
     * revoked. An expired session is deleted.
     */
    @Transactional
    public Optional<Caller> resolve(String cookieValue) {
        if (cookieValue == null || cookieValue.isBlank() || cookieValue.length() > MAX_VALUE_LENGTH) {
            return Optional.empty();
        }
        byte[] hash = BearerTokens.hash(cookieValue);
        Instant now = clock.instant();
        try (Connection c = db.getConnection()) {
            Caller caller;
            Instant lastSeen;
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT k.id, k.role, k.tenant_id, s.created_at, s.last_seen_at
                    FROM console_session s JOIN api_key k ON k.id = s.api_key_id
                    WHERE s.token_hash = ? AND k.revoked_at IS NULL""")) {
                s.setBytes(1, hash);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        return Optional.empty();
                    }
                    Instant created = r.getTimestamp(4).toInstant();
                    lastSeen = r.getTimestamp(5).toInstant();
                    if (!now.isBefore(created.plus(absolute)) || !now.isBefore(lastSeen.plus(idle))) {
                        delete(c, hash);
                        return Optional.empty();
                    }
                    caller = new Caller(Role.valueOf(r.getString(2)),
                            Optional.ofNullable(r.getObject(3, UUID.class)), r.getObject(1, UUID.class));
                }
            }
            if (!now.isBefore(lastSeen.plus(touchEvery))) {
                try (PreparedStatement s = c.prepareStatement(
                        "UPDATE console_session SET last_seen_at = ? WHERE token_hash = ?")) {
                    s.setTimestamp(1, Timestamp.from(now));
                    s.setBytes(2, hash);
                    s.executeUpdate();
                }
            }
            return Optional.of(caller);
        } catch (SQLException e) {
            throw new IllegalStateException("reading a console session failed", e);
        }
    }

    /** Ends the session on every replica (its row is gone). Signing out twice is harmless. */
    @Transactional
    public void signOut(String cookieValue) {
        if (cookieValue == null || cookieValue.length() > MAX_VALUE_LENGTH) {
            return;
        }
        try (Connection c = db.getConnection()) {
            delete(c, BearerTokens.hash(cookieValue));
        } catch (SQLException e) {
            throw new IllegalStateException("ending a console session failed", e);
        }
    }

    /** Deletes sessions past either timeout (they are refused anyway; this keeps the table small). */
    private int purgeExpired() {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "DELETE FROM console_session WHERE created_at <= ? OR last_seen_at <= ?")) {
            Instant now = clock.instant();
            s.setTimestamp(1, Timestamp.from(now.minus(absolute)));
            s.setTimestamp(2, Timestamp.from(now.minus(idle)));
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("purging console sessions failed", e);
        }
    }

    /** The CSRF token every state-changing form of this session must carry. */
    public static String csrfToken(String cookieValue) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(cookieValue.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(CSRF_LABEL));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Refuses (403) a form whose CSRF token is missing or not this session's. */
    public static void requireCsrf(String cookieValue, String presented) {
        if (cookieValue == null || presented == null || !MessageDigest.isEqual(
                csrfToken(cookieValue).getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.US_ASCII))) {
            throw new TrustfleetException(ErrorKind.FORBIDDEN,
                    "the form's CSRF token is missing or does not belong to this session; reload the page");
        }
    }

    private static void delete(Connection c, byte[] hash) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM console_session WHERE token_hash = ?")) {
            s.setBytes(1, hash);
            s.executeUpdate();
        }
    }
}
