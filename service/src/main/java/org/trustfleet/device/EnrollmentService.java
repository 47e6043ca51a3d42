package org.trustfleet.device;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Valid;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotNull;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.hibernate.validator.constraints.Range;
import org.jboss.logging.Logger;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.TimeCursor;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.payload.SigningKeyService;
import org.trustfleet.policy.DeviceGroup;
import org.trustfleet.policy.DeviceGroupService;
import org.trustfleet.tenant.BearerTokens;
import org.trustfleet.tenant.FailedAttemptLimiter;
import org.trustfleet.tenant.FailedAttemptLimiter.Door;

/**
 * Enrollment tokens and enrollment. A token is stored hashed and consumed one use at a time by a single
 * conditional UPDATE, so concurrent enrollments never exceed {@code maxUses}. Failed attempts (unknown, expired or
 * used-up tokens) are rate-limited per client address, across replicas ({@link FailedAttemptLimiter}).
 */
@ApplicationScoped
public class EnrollmentService {
    private static final Logger LOG = Logger.getLogger(EnrollmentService.class);
    static final String ENROLLMENT_TOKEN_PREFIX = "tfe";
    /** Where devices fetch their payload (relative to the server's base URL). */
    public static final String PAYLOAD_URL = "/api/v1/device/payload";
    static final int MIN_EXPIRY_SECONDS = 60;
    static final int MAX_EXPIRY_SECONDS = 31_536_000;
    static final int MAX_USES = 100_000;
    public static final int DEFAULT_LIST_LIMIT = 100;
    static final int MAX_LIST_LIMIT = 1000;

    private final AgroalDataSource db;
    private final DeviceGroupService groups;
    private final SigningKeyService keys;
    private final Clock clock;
    private final FailedAttemptLimiter limiter;
    private final Event<DeviceCredentialsChanged> credentialsChanged;
    private final Validator validator;

    public EnrollmentService(AgroalDataSource db, DeviceGroupService groups, SigningKeyService keys, Clock clock,
            FailedAttemptLimiter limiter, Event<DeviceCredentialsChanged> credentialsChanged, Validator validator) {
        this.db = db;
        this.validator = validator;
        this.groups = groups;
        this.keys = keys;
        this.clock = clock;
        this.limiter = limiter;
        this.credentialsChanged = credentialsChanged;
    }

    /** Issues a token that enrolls devices into one of the tenant's groups. */
    @Transactional
    public IssuedEnrollmentToken issue(UUID tenantId, @NotNull @Valid EnrollmentTokenInput body) {
        // presence and ranges were checked on entry (the constraints of EnrollmentTokenInput)
        UUID groupId = body.deviceGroupId();
        int expiresIn = body.expiresInSeconds();
        int maxUses = body.maxUses();
        try {
            groups.get(tenantId, groupId);
        } catch (TrustfleetException e) {
            throw TrustfleetException.validation("'deviceGroupId' names no device group of this tenant");
        }
        String token = BearerTokens.generate(ENROLLMENT_TOKEN_PREFIX);
        UUID id = UUID.randomUUID();
        Instant now = clock.instant();
        Instant expiresAt = now.plusSeconds(expiresIn);
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO enrollment_token (id, tenant_id, device_group_id, token_hash, token_prefix, expires_at,
                                              max_uses, uses, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)""")) {
            s.setObject(1, id);
            s.setObject(2, tenantId);
            s.setObject(3, groupId);
            s.setBytes(4, BearerTokens.hash(token));
            s.setString(5, BearerTokens.displayPrefix(token));
            s.setTimestamp(6, Timestamp.from(expiresAt));
            s.setInt(7, maxUses);
            s.setTimestamp(8, Timestamp.from(now));
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store the enrollment token", e);
        }
        return new IssuedEnrollmentToken(id, token, groupId, expiresAt, maxUses);
    }

    /**
     * The tenant's newest {@code limit} enrollment tokens (default {@value #DEFAULT_LIST_LIMIT}, at most
     * {@value #MAX_LIST_LIMIT}), newest first: prefix, group, limits, uses and state, never the token.
     */
    @Transactional
    public List<EnrollmentTokenView> list(UUID tenantId, @Range(min = 1, max = MAX_LIST_LIMIT) Integer limit) {
        return list(tenantId, limit, null);
    }

    /**
     * A page of the tenant's enrollment tokens, newest first ({@code created_at DESC, id DESC}), continuing strictly
     * after {@code after} (the last token of the previous page; null for the first page). Keyset paging: no OFFSET.
     */
    @Transactional
    public List<EnrollmentTokenView> list(UUID tenantId, @Range(min = 1, max = MAX_LIST_LIMIT) Integer limit,
            TimeCursor after) {
        int n = limit == null ? DEFAULT_LIST_LIMIT : limit;
        Instant now = clock.instant();
        List<EnrollmentTokenView> tokens = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT id, token_prefix, device_group_id, created_at, expires_at, max_uses, uses, revoked_at
                FROM enrollment_token WHERE tenant_id = ? AND (created_at, id) < (?, ?)
                ORDER BY created_at DESC, id DESC LIMIT ?""")) {
            s.setObject(1, tenantId);
            // no cursor: after everything (a time beyond any row, then the largest UUID in PostgreSQL order)
            s.setTimestamp(2, Timestamp.from(after == null ? Instant.parse("9999-12-31T00:00:00Z") : after.at()));
            s.setObject(3, after == null ? new UUID(-1L, -1L) : after.id());
            s.setInt(4, n);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Instant expiresAt = r.getTimestamp(5).toInstant();
                    int maxUses = r.getInt(6);
                    int uses = r.getInt(7);
                    Timestamp revoked = r.getTimestamp(8);
                    EnrollmentTokenState state = revoked != null ? EnrollmentTokenState.REVOKED
                            : !expiresAt.isAfter(now) ? EnrollmentTokenState.EXPIRED
                            : uses >= maxUses ? EnrollmentTokenState.USED_UP : EnrollmentTokenState.ACTIVE;
                    tokens.add(new EnrollmentTokenView(r.getObject(1, UUID.class), r.getString(2),
                            r.getObject(3, UUID.class), r.getTimestamp(4).toInstant(), expiresAt, maxUses, uses,
                            revoked == null ? null : revoked.toInstant(), state));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list enrollment tokens", e);
        }
        return tokens;
    }

    /**
     * Revokes one of the tenant's enrollment tokens: it enrolls nothing more (devices it enrolled keep their
     * credentials). Revoking a revoked token changes nothing; another tenant's token is not found.
     */
    @Transactional
    public void revoke(UUID tenantId, UUID tokenId) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                UPDATE enrollment_token SET revoked_at = COALESCE(revoked_at, ?)
                WHERE id = ? AND tenant_id = ?""")) {
            s.setTimestamp(1, Timestamp.from(clock.instant()));
            s.setObject(2, tokenId);
            s.setObject(3, tenantId);
            if (s.executeUpdate() == 0) {
                throw TrustfleetException.notFound("enrollment token");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot revoke the enrollment token", e);
        }
    }

    /**
     * Exchanges an enrollment token for a device credential. Re-enrolling a hardware id already enrolled in the
     * token's tenant replaces that device's token and group (and clears its revocation and last report). A device
     * whose API level is outside the group's range is refused (409) without using up the token: the group's
     * certificate set was not computed for it.
     *
     * <p>Not one transaction: the failure count is kept in transactions of its own (a failed enrollment rolls back,
     * its count must not), and the enrollment itself runs in one ({@code requiringNew}) between them, so a request
     * holds one database connection at a time.
     *
     * @param clientAddress the caller's address, the key of the failure rate limit
     */
    public Enrollment enroll(EnrollmentRequest body, String clientAddress) {
        Optional<Duration> blocked = limiter.blockedFor(Door.ENROLLMENT, clientAddress);
        if (blocked.isPresent()) {
            throw rateLimited(blocked.get());
        }
        // checked here rather than on entry: a blocked address gets 429 whatever it sends
        if (body == null) {
            throw TrustfleetException.validation("a JSON request body is required");
        }
        Set<ConstraintViolation<EnrollmentRequest>> violations = validator.validate(body);
        if (!violations.isEmpty()) {
            throw new ConstraintViolationException(violations);
        }
        String token = body.enrollmentToken().strip();
        String hardwareId = body.hardwareId().strip();
        int apiLevel = body.apiLevel();
        String model = optional(body.model());
        String agentVersion = optional(body.agentVersion());
        boolean[] tokenRefused = {false};
        try {
            return QuarkusTransaction.requiringNew().call(() -> enroll(token, hardwareId, apiLevel, model,
                    agentVersion, tokenRefused));
        } catch (TrustfleetException e) {
            if (tokenRefused[0]) {
                // counted only while the window has room: attempts racing past the check above get 429 here
                Optional<Duration> full = limiter.recordFailure(Door.ENROLLMENT, clientAddress);
                if (full.isPresent()) {
                    throw rateLimited(full.get());
                }
            }
            throw e;
        }
    }

    private static TrustfleetException rateLimited(Duration wait) {
        return TrustfleetException.rateLimited("too many failed enrollment attempts from this address; retry in "
                + Math.max(1, wait.toSeconds() + 1) + " seconds", wait);
    }

    /** The enrollment proper, in the caller's transaction; sets {@code tokenRefused[0]} when the token was refused. */
    private Enrollment enroll(String token, String hardwareId, int apiLevel, String model, String agentVersion,
            boolean[] tokenRefused) {
        Instant now = clock.instant();
        byte[] hash = BearerTokens.hash(token);
        try (Connection c = db.getConnection()) {
            UUID tenantId;
            UUID groupId;
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE enrollment_token SET uses = uses + 1
                    WHERE token_hash = ? AND uses < max_uses AND expires_at > ? AND revoked_at IS NULL
                    RETURNING tenant_id, device_group_id""")) {
                s.setBytes(1, hash);
                s.setTimestamp(2, Timestamp.from(now));
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        tokenRefused[0] = true;
                        throw whyRefused(c, hash, now);
                    }
                    tenantId = r.getObject(1, UUID.class);
                    groupId = r.getObject(2, UUID.class);
                }
            }
            DeviceGroup group = groups.get(tenantId, groupId);
            if (apiLevel < group.minApiLevel() || apiLevel > group.maxApiLevel()) {
                // thrown inside the transaction: the use taken above is rolled back
                throw new TrustfleetException(ErrorKind.CONFLICT, "this enrollment token is for devices of API "
                        + "levels " + group.minApiLevel() + " to " + group.maxApiLevel() + " and this device "
                        + "reports " + apiLevel + "; ask your administrator for a token of a group that covers it");
            }
            UUID previous = null;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT id FROM device WHERE tenant_id = ? AND hardware_id = ? FOR UPDATE")) {
                s.setObject(1, tenantId);
                s.setString(2, hardwareId);
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) {
                        previous = r.getObject(1, UUID.class);
                    }
                }
            }
            String deviceToken = BearerTokens.generate(DeviceAuthService.TOKEN_PREFIX);
            UUID deviceId;
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO device (id, tenant_id, device_group_id, hardware_id, token_hash, model, agent_version,
                                        api_level, enrolled_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (tenant_id, hardware_id) DO UPDATE SET
                        device_group_id = EXCLUDED.device_group_id, token_hash = EXCLUDED.token_hash,
                        model = EXCLUDED.model, agent_version = EXCLUDED.agent_version,
                        api_level = EXCLUDED.api_level, enrolled_at = EXCLUDED.enrolled_at,
                        revoked_at = NULL, reported_at = NULL,
                        reported_version = NULL, reported_installed = NULL, reported_failures = NULL
                    RETURNING id""")) {
                s.setObject(1, previous != null ? previous : UUID.randomUUID());
                s.setObject(2, tenantId);
                s.setObject(3, groupId);
                s.setString(4, hardwareId);
                s.setBytes(5, BearerTokens.hash(deviceToken));
                setText(s, 6, model);
                setText(s, 7, agentVersion);
                s.setInt(8, apiLevel);
                s.setTimestamp(9, Timestamp.from(now));
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    deviceId = r.getObject(1, UUID.class);
                }
            }
            if (previous != null) {
                // a new device got its last-seen row from the insert trigger (V37), with its enrollment time
                try (PreparedStatement s = c.prepareStatement(
                        "UPDATE device_seen SET last_seen_at = ? WHERE device_id = ?")) {
                    s.setTimestamp(1, Timestamp.from(now));
                    s.setObject(2, deviceId);
                    s.executeUpdate();
                }
                credentialsChanged.fire(new DeviceCredentialsChanged(previous));
                LOG.infof("Device %s re-enrolled into group %s", deviceId, groupId);
            }
            String chain = keys.activeSigner(tenantId).signer().chainPem();
            return new Enrollment(deviceId, deviceToken, tenantId, groupId, chain, PAYLOAD_URL);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot enroll the device", e);
        }
    }

    private static TrustfleetException whyRefused(Connection c, byte[] hash, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT expires_at, uses, max_uses, revoked_at FROM enrollment_token WHERE token_hash = ?")) {
            s.setBytes(1, hash);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return new TrustfleetException(ErrorKind.UNAUTHENTICATED,
                            "the enrollment token is not valid; ask your administrator for a new one");
                }
                if (r.getTimestamp(4) != null) {
                    return new TrustfleetException(ErrorKind.GONE,
                            "the enrollment token was revoked; ask your administrator for a new one");
                }
                if (!r.getTimestamp(1).toInstant().isAfter(now)) {
                    return new TrustfleetException(ErrorKind.GONE,
                            "the enrollment token has expired; ask your administrator for a new one");
                }
                return new TrustfleetException(ErrorKind.GONE, "the enrollment token has been used "
                        + r.getInt(3) + " times, its maximum; ask your administrator for a new one");
            }
        }
    }

    private static String optional(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static void setText(PreparedStatement s, int index, String value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.VARCHAR);
        } else {
            s.setString(index, value);
        }
    }
}
