package org.trustfleet.web;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.UUID;
import org.trustfleet.core.Require;
import org.trustfleet.core.TimeCursor;
import org.trustfleet.device.EnrollmentService;
import org.trustfleet.device.EnrollmentTokenInput;
import org.trustfleet.device.EnrollmentTokenView;
import org.trustfleet.device.IssuedEnrollmentToken;
import org.trustfleet.tenant.Role;

/** Admins issue, list and revoke the enrollment tokens that enroll devices into one of their groups. */
@Path("/api/v1/tenants/{tenantId}/enrollment-tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class EnrollmentTokenResource {
    private final EnrollmentService enrollment;

    public EnrollmentTokenResource(EnrollmentService enrollment) {
        this.enrollment = enrollment;
    }

    @POST
    @Allow(Role.ADMIN)
    public Response issue(@PathParam("tenantId") UUID tenantId, EnrollmentTokenInput body) {
        IssuedEnrollmentToken token = enrollment.issue(tenantId, Bodies.required(body));
        return Response.status(Response.Status.CREATED).entity(token).build();
    }

    @GET
    @Allow(Role.ADMIN)
    public Response list(@PathParam("tenantId") UUID tenantId, @QueryParam("limit") String limit,
            @QueryParam("after") String after, UriInfo uri) {
        Integer n = Require.wholeNumber(limit, "limit");
        List<EnrollmentTokenView> page = enrollment.list(tenantId, n, TimeCursor.parse(after).orElse(null));
        EnrollmentTokenView last = page.isEmpty() ? null : page.get(page.size() - 1);
        return Paging.page(page, n == null ? EnrollmentService.DEFAULT_LIST_LIMIT : n, uri,
                last == null ? null : new TimeCursor(last.createdAt(), last.id()).encode());
    }

    @DELETE
    @Path("/{tokenId}")
    @Allow(Role.ADMIN)
    public Response revoke(@PathParam("tenantId") UUID tenantId, @PathParam("tokenId") String tokenId) {
        enrollment.revoke(tenantId, Require.id(tokenId, "enrollment token"));
        return Response.noContent().build();
    }
}
