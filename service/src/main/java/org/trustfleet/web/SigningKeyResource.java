package org.trustfleet.web;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.trustfleet.payload.SignerInfo;
import org.trustfleet.payload.SigningKeyService;
import org.trustfleet.tenant.Role;

/** A tenant's payload signer: its public chain, and rotation. Private keys never leave the service. */
@Path("/api/v1/tenants/{tenantId}/signing-keys")
@Produces(MediaType.APPLICATION_JSON)
public class SigningKeyResource {
    private final SigningKeyService keys;

    public SigningKeyResource(SigningKeyService keys) {
        this.keys = keys;
    }

    @GET
    @Path("/current")
    @Allow({Role.ADMIN, Role.CONSOLE})
    public SignerInfo current(@PathParam("tenantId") UUID tenantId) {
        return keys.current(tenantId);
    }

    @POST
    @Path("/rotate")
    @Allow(Role.ADMIN)
    public Response rotate(@PathParam("tenantId") UUID tenantId) {
        return Response.status(Response.Status.CREATED).entity(keys.rotate(tenantId)).build();
    }
}
