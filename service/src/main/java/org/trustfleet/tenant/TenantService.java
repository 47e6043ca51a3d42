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
import org.hibernate.validator.constraints.Range;
import org.trustfleet.core.TimeCursor;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.core.PlainText;

/** Creates and lists tenants; the transaction boundary for everything tenant-level. */
@ApplicationScoped
public class TenantService {
    static final int MAX_NAME = 200;
    /**
     * Page size of the tenant list when {@code limit} is absent: the largest page, so a client written before the list
     * was paged still gets every tenant of a deployment up to that size in one answer.
     */
    public static final int DEFAULT_LIST_LIMIT = 1000;
    /** Largest page of the tenant list. */
    public static final int MAX_LIST_LIMIT = 1000;

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

    /**
     * A page of the tenants, oldest first ({@code created_at}, then id), continuing strictly after {@code after} (the
     * last tenant of the previous page; null for the first page). Keyset paging: no OFFSET; tenants created while a
     * client pages come after everything it has seen.
     */
    @Transactional
    public List<Tenant> list(@Range(min = 1, max = MAX_LIST_LIMIT) Integer limit, TimeCursor after) {
        int n = limit == null ? DEFAULT_LIST_LIMIT : limit;
        var query = after == null
                ? TenantEntity.<TenantEntity>find("order by createdAt, id")
                // "createdAt >= ?1" repeats what the second condition implies, so that the index range starts there
                : TenantEntity.<TenantEntity>find(
                        "createdAt >= ?1 and (createdAt > ?1 or id > ?2) order by createdAt, id", after.at(),
                        after.id());
        return query.page(0, n).list().stream().map(TenantEntity::toTenant).toList();
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
