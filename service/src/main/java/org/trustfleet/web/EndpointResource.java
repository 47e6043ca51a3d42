package org.trustfleet.web;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.UUID;
import org.trustfleet.core.NameCursor;
import org.trustfleet.core.Require;
import org.trustfleet.core.TimeCursor;
import org.trustfleet.scan.Endpoint;
import org.trustfleet.scan.EndpointInput;
import org.trustfleet.scan.EndpointService;
import org.trustfleet.scan.ScanResult;
import org.trustfleet.scan.ScanService;
import org.trustfleet.tenant.Role;

/** A tenant's watched endpoints and their scans. */
@Path("/api/v1/tenants/{tenantId}/endpoints")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class EndpointResource {
    private final EndpointService endpoints;
    private final ScanService scans;

    public EndpointResource(EndpointService endpoints, ScanService scans) {
        this.endpoints = endpoints;
        this.scans = scans;
    }

    /** By name, paged by cursor: a full page carries {@code Link: <…?after=<cursor>&limit=n>; rel="next"}. */
    @GET
    @Allow({Role.ADMIN, Role.CONSOLE})
    public Response list(@PathParam("tenantId") UUID tenantId, @QueryParam("limit") String limit,
            @QueryParam("after") String after, UriInfo uri) {
        Integer n = Require.wholeNumber(limit, "limit");
        List<Endpoint> page = endpoints.list(tenantId, n, NameCursor.parse(after).orElse(null));
        Endpoint last = page.isEmpty() ? null : page.get(page.size() - 1);
        return Paging.page(page, n == null ? EndpointService.DEFAULT_LIST_LIMIT : n, uri,
                last == null ? null : new NameCursor(last.name(), last.id()).encode());
    }

    @POST
    @Allow(Role.ADMIN)
    public Response create(@PathParam("tenantId") UUID tenantId, EndpointInput body, UriInfo uri) {
        Endpoint endpoint = endpoints.create(tenantId, Bodies.required(body));
        return Response.created(uri.getAbsolutePathBuilder().path(endpoint.id().toString()).build())
                .entity(endpoint).build();
    }

    @GET
    @Path("/{endpointId}")
    @Allow({Role.ADMIN, Role.CONSOLE})
    public Endpoint get(@PathParam("tenantId") UUID tenantId, @PathParam("endpointId") String endpointId) {
        return endpoints.get(tenantId, Require.id(endpointId, "endpoint"));
    }

    @PUT
    @Path("/{endpointId}")
    @Allow(Role.ADMIN)
    public Endpoint replace(@PathParam("tenantId") UUID tenantId, @PathParam("endpointId") String endpointId,
            EndpointInput body) {
        return endpoints.replace(tenantId, Require.id(endpointId, "endpoint"), Bodies.required(body));
    }

    @DELETE
    @Path("/{endpointId}")
    @Allow(Role.ADMIN)
    public Response delete(@PathParam("tenantId") UUID tenantId, @PathParam("endpointId") String endpointId) {
        endpoints.delete(tenantId, Require.id(endpointId, "endpoint"));
        return Response.noContent().build();
    }

    @POST
    @Path("/{endpointId}/scans")
    @Consumes(MediaType.WILDCARD) // no body: a bare POST must not be refused for its content type
    @Allow(Role.ADMIN)
    public Response scanNow(@PathParam("tenantId") UUID tenantId, @PathParam("endpointId") String endpointId) {
        ScanResult result = scans.scanNow(tenantId, Require.id(endpointId, "endpoint"));
        return Response.status(201).entity(result).build();
    }

    /**
     * Newest first, paged by cursor: when a page is full, {@code Link: <…?after=<cursor>&limit=n>; rel="next"}
     * follows (the cursor of its last scan).
     */
    @GET
    @Path("/{endpointId}/scans")
    @Allow({Role.ADMIN, Role.CONSOLE})
    public Response history(@PathParam("tenantId") UUID tenantId, @PathParam("endpointId") String endpointId,
            @QueryParam("limit") String limit, @QueryParam("after") String after, UriInfo uri) {
        Integer n = Require.wholeNumber(limit, "limit");
        List<ScanResult> page = scans.history(tenantId, Require.id(endpointId, "endpoint"), n,
                TimeCursor.parse(after).orElse(null));
        ScanResult last = page.isEmpty() ? null : page.get(page.size() - 1);
        return Paging.page(page, n == null ? ScanService.DEFAULT_HISTORY : n, uri,
                last == null ? null : new TimeCursor(last.startedAt(), last.id()).encode());
    }

    @GET
    @Path("/{endpointId}/scans/latest")
    @Allow({Role.ADMIN, Role.CONSOLE})
    public ScanResult latest(@PathParam("tenantId") UUID tenantId, @PathParam("endpointId") String endpointId) {
        return scans.latest(tenantId, Require.id(endpointId, "endpoint"));
    }
}
