package org.trustfleet.tenant;

import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.core.PlainText;

/** Creates and lists tenants; the transaction boundary for everything tenant-level. */
@ApplicationScoped
public class TenantService {
    static final int MAX_NAME = 200;

    private final Clock clock;

    public TenantService(Clock clock) {
        this.clock = clock;
    }

    @Transactional
    public Tenant create(@NotBlank @Size(max = MAX_NAME) @PlainText String name) {
        name = name.strip();
        if (TenantEntity.count("lower(name) = ?1", name.toLowerCase(java.util.Locale.ROOT)) > 0) {
            throw TrustfleetException.conflict("a tenant named '" + name + "' already exists");
        }
        TenantEntity entity = new TenantEntity();
        entity.id = UUID.randomUUID();
        entity.name = name;
        entity.createdAt = Instant.now(clock);
        entity.persist();
        return entity.toTenant();
    }

    @Transactional
    public List<Tenant> list() {
        return TenantEntity.<TenantEntity>findAll(Sort.by("createdAt").and("id")).stream()
                .map(TenantEntity::toTenant).toList();
    }

    /** The tenant, or a not-found error. */
    @Transactional
    public Tenant require(UUID id) {
        TenantEntity entity = TenantEntity.findById(id);
        if (entity == null) {
            throw TrustfleetException.notFound("tenant");
        }
        return entity.toTenant();
    }

    @Transactional
    public boolean exists(UUID id) {
        return TenantEntity.count("id", id) > 0;
    }
}
