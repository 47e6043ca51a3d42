package org.trustfleet.web;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import org.trustfleet.core.Require;
import org.trustfleet.core.TimeCursor;
import org.trustfleet.tenant.Role;
import org.trustfleet.tenant.Tenant;
import org.trustfleet.tenant.TenantService;

/** Tenants: created and listed by operators. */
@Path("/api/v1/tenants")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TenantResource {
    /** Body of {@code POST /tenants}. */
    public record CreateTenant(String name) {}

    private final TenantService tenants;

    public TenantResource(TenantService tenants) {
        this.tenants = tenants;
    }

    @POST
    @Allow(Role.OPERATOR)
    public Response create(CreateTenant body, UriInfo uri) {
        Tenant tenant = tenants.create(Bodies.required(body).name());
        return Response.created(uri.getAbsolutePathBuilder().path(tenant.id().toString()).build())
                .entity(tenant).build();
    }

    /** Oldest first, paged by cursor: a full page carries {@code Link: <…?after=<cursor>&limit=n>; rel="next"}. */
    @GET
    @Allow(Role.OPERATOR)
    public Response list(@QueryParam("limit") String limit, @QueryParam("after") String after, UriInfo uri) {
        Integer n = Require.wholeNumber(limit, "limit");
        List<Tenant> page = tenants.list(n, TimeCursor.parse(after).orElse(null));
        Tenant last = page.isEmpty() ? null : page.get(page.size() - 1);
        return Paging.page(page, n == null ? TenantService.DEFAULT_LIST_LIMIT : n, uri,
                last == null ? null : new TimeCursor(last.createdAt(), last.id()).encode());
    }
}
