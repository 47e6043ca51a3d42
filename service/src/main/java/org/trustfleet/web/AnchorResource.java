package org.trustfleet.web;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;
import org.trustfleet.tenant.Role;
import org.trustfleet.truststore.AnchorService;
import org.trustfleet.truststore.TenantAnchor;

/** A tenant's private CAs. */
@Path("/api/v1/tenants/{tenantId}/anchors")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AnchorResource {
    /** Body of {@code POST /anchors}: one or more PEM CA certificates. */
    public record AnchorInput(String pem, String note) {}

    private final AnchorService anchors;

    public AnchorResource(AnchorService anchors) {
        this.anchors = anchors;
    }

    @GET
    @Allow({Role.ADMIN, Role.CONSOLE})
    public List<TenantAnchor> list(@PathParam("tenantId") UUID tenantId) {
        return anchors.list(tenantId);
    }

    @POST
    @Allow(Role.ADMIN)
    public Response add(@PathParam("tenantId") UUID tenantId, AnchorInput body) {
        AnchorInput input = Bodies.required(body);
        return Response.status(201).entity(anchors.add(tenantId, input.pem(), input.note())).build();
    }

    @DELETE
    @Path("/{sha256}")
    @Allow(Role.ADMIN)
    public Response remove(@PathParam("tenantId") UUID tenantId, @PathParam("sha256") String sha256) {
        anchors.remove(tenantId, sha256);
        return Response.noContent().build();
    }
}
