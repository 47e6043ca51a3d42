package org.trustfleet.scan;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.hibernate.validator.constraints.Range;
import org.trustfleet.core.NameCursor;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.pki.HostName;

/** A tenant's watched endpoints, and their scan schedules, which change in the same transaction. */
@ApplicationScoped
public class EndpointService {
    static final int DEFAULT_INTERVAL_MINUTES = 360;
    /**
     * Page size of the endpoint list when {@code limit} is absent: the largest page, so a client written before the
     * list was paged still gets every endpoint of any tenant up to that size in one answer.
     */
    public static final int DEFAULT_LIST_LIMIT = 1000;
    /** Largest page of the endpoint list. */
    public static final int MAX_LIST_LIMIT = 1000;

    private final ScanScheduler scheduler;
    private final Clock clock;
    private final Event<EndpointsChanged> changed;

    /** Fired when a tenant's set of endpoints changed (created, replaced or deleted). */
    public record EndpointsChanged(UUID tenantId, UUID endpointId) {}

    public EndpointService(ScanScheduler scheduler, Clock clock, Event<EndpointsChanged> changed) {
        this.scheduler = scheduler;
        this.clock = clock;
        this.changed = changed;
    }

    @Transactional
    public Endpoint create(UUID tenantId, @NotNull @Valid EndpointInput body) {
        EndpointEntity entity = new EndpointEntity();
        entity.id = UUID.randomUUID();
        entity.tenantId = tenantId;
        entity.createdAt = Instant.now(clock);
        apply(entity, body);
        entity.persist();
        scheduler.schedule(entity.id, entity.scanIntervalMinutes, false);
        changed.fire(new EndpointsChanged(tenantId, entity.id));
        return entity.toEndpoint();
    }

    @Transactional
    public Endpoint replace(UUID tenantId, UUID endpointId, @NotNull @Valid EndpointInput body) {
        EndpointEntity entity = entity(tenantId, endpointId);
        // what a scan showed of the endpoint's responsiveness is a property of where it is probed
        ProbeTarget before = entity.toEndpoint().probeTarget();
        apply(entity, body);
        scheduler.schedule(entity.id, entity.scanIntervalMinutes,
                before.equals(entity.toEndpoint().probeTarget()));
        changed.fire(new EndpointsChanged(tenantId, entity.id));
        return entity.toEndpoint();
    }

    @Transactional
    public void delete(UUID tenantId, UUID endpointId) {
        EndpointEntity entity = entity(tenantId, endpointId);
        // the database deletes its scans, chain events and group memberships with it (ON DELETE CASCADE)
        entity.delete();
        scheduler.unschedule(endpointId);
        changed.fire(new EndpointsChanged(tenantId, endpointId));
    }

    @Transactional
    public Endpoint get(UUID tenantId, UUID endpointId) {
        return entity(tenantId, endpointId).toEndpoint();
    }

    @Transactional
    public List<Endpoint> list(UUID tenantId) {
        return EndpointEntity.<EndpointEntity>list("tenantId = ?1 order by name, id", tenantId).stream()
                .map(EndpointEntity::toEndpoint).toList();
    }

    /**
     * Every endpoint of each given tenant, by name then id as {@link #list(UUID)} orders them, in one statement:
     * the recompute after a platform store change reads several small tenants at a time. A tenant without
     * endpoints maps to an empty list. Native SQL with an array parameter, so that Hibernate does not build and
     * translate a query again for each number of tenants.
     */
    @Transactional
    public Map<UUID, List<Endpoint>> listOf(Collection<UUID> tenantIds) {
        Map<UUID, List<Endpoint>> out = new HashMap<>();
        tenantIds.forEach(t -> out.put(t, new ArrayList<>()));
        if (tenantIds.isEmpty()) {
            return out;
        }
        @SuppressWarnings("unchecked")
        List<EndpointEntity> found = EndpointEntity.getEntityManager().createNativeQuery(
                        "SELECT * FROM endpoint WHERE tenant_id = ANY(?1) ORDER BY tenant_id, name, id",
                        EndpointEntity.class)
                .setParameter(1, tenantIds.toArray(UUID[]::new)).getResultList();
        for (EndpointEntity entity : found) {
            out.get(entity.tenantId).add(entity.toEndpoint());
        }
        return out;
    }

    /**
     * A page of the tenant's endpoints by name (then id), continuing strictly after {@code after} (the last endpoint
     * of the previous page; null for the first page). Keyset paging on the unique {@code (tenant_id, name)}: no OFFSET.
     */
    @Transactional
    public List<Endpoint> list(UUID tenantId, @Range(min = 1, max = MAX_LIST_LIMIT) Integer limit, NameCursor after) {
        int n = limit == null ? DEFAULT_LIST_LIMIT : limit;
        var query = after == null
                ? EndpointEntity.<EndpointEntity>find("tenantId = ?1 order by name, id", tenantId)
                // "name >= ?2" repeats what the second condition implies, so that the index range starts at the cursor
                : EndpointEntity.<EndpointEntity>find(
                        "tenantId = ?1 and name >= ?2 and (name > ?2 or id > ?3) order by name, id", tenantId,
                        after.name(), after.id());
        return query.page(0, n).list().stream().map(EndpointEntity::toEndpoint).toList();
    }

    /** Looks an endpoint up by id alone, for the scheduler (which acts for every tenant). */
    @Transactional
    public java.util.Optional<Endpoint> find(UUID endpointId) {
        return EndpointEntity.<EndpointEntity>findByIdOptional(endpointId).map(EndpointEntity::toEndpoint);
    }

    private static EndpointEntity entity(UUID tenantId, UUID endpointId) {
        EndpointEntity entity = EndpointEntity.findById(endpointId);
        if (entity == null || !entity.tenantId.equals(tenantId)) {
            throw TrustfleetException.notFound("endpoint");
        }
        return entity;
    }

    private void apply(EndpointEntity entity, EndpointInput input) {
        // presence, lengths and ranges were checked on entry (the constraints of EndpointInput)
        String name = input.name().strip();
        String host = host(input.host(), "host");
        int port = input.port();
        String serverName = input.serverName() == null || input.serverName().isBlank() ? null
                : host(input.serverName(), "serverName");
        int interval = input.scanIntervalMinutes() == null ? DEFAULT_INTERVAL_MINUTES : input.scanIntervalMinutes();
        boolean clash = EndpointEntity.count("tenantId = ?1 and lower(name) = ?2 and id <> ?3", entity.tenantId,
                name.toLowerCase(Locale.ROOT), entity.id) > 0;
        if (clash) {
            throw TrustfleetException.conflict("an endpoint named '" + name + "' already exists");
        }
        entity.name = name;
        entity.host = host;
        entity.port = port;
        entity.serverName = serverName;
        entity.protocol = protocol(input.protocol()).wireName();
        entity.scanIntervalMinutes = interval;
        entity.updatedAt = Instant.now(clock);
    }

    /** The protocol named on input, {@code tls} when absent; the constraint on EndpointInput refused others. */
    private static StartTlsProtocol protocol(String raw) {
        try {
            return StartTlsProtocol.fromWireOrTls(raw);
        } catch (IllegalArgumentException e) {
            throw TrustfleetException.validation("'protocol' must be one of tls, smtp-starttls, imap-starttls,"
                    + " pop3-starttls");
        }
    }

    /**
     * The host as stored: {@link HostName}'s one rule (DNS name in ASCII and lower case, IPv4 dotted quad, IPv6 literal
     * without brackets). The constraints of {@link EndpointInput} already refused anything else on entry; the check
     * here keeps this method safe for any caller.
     */
    static String host(String raw, String field) {
        try {
            return HostName.parse(raw).value();
        } catch (HostName.InvalidHostException e) {
            throw TrustfleetException.validation("'" + field + "' " + e.reason());
        }
    }
}
