package org.trustfleet.web;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.trustfleet.tenant.Role;
import org.trustfleet.truststore.TrustStoreService;
import org.trustfleet.truststore.TrustStoreSummary;

/** Platform stores: the bundled Android stores and operator additions or replacements. */
@Path("/api/v1/trust-stores")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TrustStoreResource {
    /** Body of {@code POST /trust-stores}. */
    public record TrustStoreInput(String name, String platform, Integer apiLevel, String pem) {}

    private final TrustStoreService stores;

    public TrustStoreResource(TrustStoreService stores) {
        this.stores = stores;
    }

    @GET
    @Allow(Role.OPERATOR)
    public List<TrustStoreSummary> list() {
        return stores.list();
    }

    @POST
    @Allow(Role.OPERATOR)
    public Response upsert(TrustStoreInput body) {
        TrustStoreInput input = Bodies.required(body);
        TrustStoreService.StoreWrite write = stores.upsert(input.name(), input.platform(), input.apiLevel(),
                input.pem());
        return Response.status(write.replaced() ? 200 : 201).entity(write.store()).build();
    }
}
