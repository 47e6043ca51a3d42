package org.trustfleet.tenant;

import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.core.PlainText;

/** Issues, lists, revokes and checks API keys. */
@ApplicationScoped
public class ApiKeyService {
    static final String TOKEN_PREFIX = "tfk";
    /** Names of bootstrap operator keys start with this. */
    public static final String BOOTSTRAP_PREFIX = "bootstrap operator";

    private final Clock clock;

    public ApiKeyService(Clock clock) {
        this.clock = clock;
    }

    /** Issues a tenant key ({@code admin} or {@code console}); the token is in the result and nowhere else. */
    @Transactional
    public IssuedApiKey issue(UUID tenantId, @NotBlank @Size(max = 200) @PlainText String name, Role role) {
        name = name.strip();
        if (role != Role.ADMIN && role != Role.CONSOLE) {
            throw TrustfleetException.validation("'role' must be one of: admin, console");
        }
        if (TenantEntity.findById(tenantId) == null) {
            throw TrustfleetException.notFound("tenant");
        }
        return store(tenantId, name, role, BearerTokens.generate(TOKEN_PREFIX));
    }

    /**
     * Makes {@code token} the deployment's one bootstrap operator credential: it is stored if new, and any other
     * bootstrap key (an earlier configured or generated token) is revoked, so that rotating
     * {@code trustfleet.operator-token} retires the old value at the next start.
     *
     * @return false when this token was already retired by a newer one (it then stays retired)
     */
    @Transactional
    public boolean ensureBootstrapOperatorKey(String name, String token) {
        byte[] hash = BearerTokens.hash(token);
        ApiKeyEntity existing = ApiKeyEntity.<ApiKeyEntity>find("tokenHash", hash).firstResult();
        if (existing != null && existing.revokedAt != null) {
            // a newer token has retired this one (e.g. a replica still starting with the old configuration):
            // it must not revoke the newer one in turn, or nobody could sign in as operator
            return false;
        }
        if (existing == null) {
            store(null, name, Role.OPERATOR, token);
        }
        ApiKeyEntity.update("revokedAt = ?1 where role = ?2 and name like ?3 and tokenHash <> ?4 and revokedAt is null",
                Instant.now(clock), Role.OPERATOR, BOOTSTRAP_PREFIX + "%", hash);
        return true;
    }

    private IssuedApiKey store(UUID tenantId, String name, Role role, String token) {
        ApiKeyEntity entity = new ApiKeyEntity();
        entity.id = UUID.randomUUID();
        entity.tenantId = tenantId;
        entity.name = name;
        entity.role = role;
        entity.tokenHash = BearerTokens.hash(token);
        entity.tokenPrefix = BearerTokens.displayPrefix(token);
        entity.createdAt = Instant.now(clock);
        entity.persist();
        return new IssuedApiKey(entity.toApiKey(), token);
    }

    @Transactional
    public List<ApiKey> list(UUID tenantId) {
        return ApiKeyEntity.<ApiKeyEntity>find("tenantId", Sort.by("createdAt").and("id"), tenantId).stream()
                .map(ApiKeyEntity::toApiKey).toList();
    }

    /** Revokes a key of the tenant; the next request with it is refused. Revoking twice is harmless. */
    @Transactional
    public void revoke(UUID tenantId, UUID keyId) {
        ApiKeyEntity entity = ApiKeyEntity.findById(keyId);
        if (entity == null || !tenantId.equals(entity.tenantId)) {
            throw TrustfleetException.notFound("API key");
        }
        if (entity.revokedAt == null) {
            entity.revokedAt = Instant.now(clock);
        }
    }

    /** The caller a token stands for, if it is a live API key. */
    @Transactional
    public Optional<Caller> authenticate(String token) {
        return ApiKeyEntity.<ApiKeyEntity>find("tokenHash", BearerTokens.hash(token)).firstResultOptional()
                .filter(key -> key.revokedAt == null)
                .filter(key -> BearerTokens.matches(token, key.tokenHash))
                .map(key -> new Caller(key.role, Optional.ofNullable(key.tenantId), key.id));
    }
}
