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
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.trustfleet.core.Require;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.tenant.ApiKey;
import org.trustfleet.tenant.ApiKeyService;
import org.trustfleet.tenant.IssuedApiKey;
import org.trustfleet.tenant.Role;

/** A tenant's API keys: issued (token shown once), listed, revoked. */
@Path("/api/v1/tenants/{tenantId}/api-keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ApiKeyResource {
    /** Body of {@code POST /api-keys}. */
    public record CreateApiKey(String name, String role) {}

    /** The one response that carries a token. */
    public record CreatedApiKey(UUID id, String name, Role role, String token, String tokenPrefix,
            Instant createdAt) {}

    private final ApiKeyService keys;

    public ApiKeyResource(ApiKeyService keys) {
        this.keys = keys;
    }

    @POST
    @Allow({Role.OPERATOR, Role.ADMIN})
    public Response issue(@PathParam("tenantId") UUID tenantId, CreateApiKey body, UriInfo uri) {
        CreateApiKey request = Bodies.required(body);
        Role role = request.role() == null ? null : Role.fromWire(request.role());
        if (role == null) {
            throw TrustfleetException.validation("'role' must be one of: admin, console");
        }
        IssuedApiKey issued = keys.issue(tenantId, request.name(), role);
        ApiKey key = issued.key();
        return Response.created(uri.getAbsolutePathBuilder().path(key.id().toString()).build())
                .entity(new CreatedApiKey(key.id(), key.name(), key.role(), issued.token(), key.tokenPrefix(),
                        key.createdAt()))
                .build();
    }

    @GET
    @Allow({Role.OPERATOR, Role.ADMIN})
    public List<ApiKey> list(@PathParam("tenantId") UUID tenantId) {
        return keys.list(tenantId);
    }

    @DELETE
    @Path("/{keyId}")
    @Allow({Role.OPERATOR, Role.ADMIN})
    public Response revoke(@PathParam("tenantId") UUID tenantId, @PathParam("keyId") String keyId) {
        keys.revoke(tenantId, Require.id(keyId, "API key"));
        return Response.noContent().build();
    }
}
