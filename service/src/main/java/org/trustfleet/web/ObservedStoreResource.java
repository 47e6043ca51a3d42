package org.trustfleet.web;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;
import org.trustfleet.tenant.Role;
import org.trustfleet.truststore.ObservedStoreService;
import org.trustfleet.truststore.ObservedStoreView;

/**
 * The system CA stores a tenant's devices reported, compared with the platform stores. Per tenant only: a tenant sees
 * its own devices' stores and counts, never another tenant's.
 */
@Path("/api/v1/tenants/{tenantId}/observed-stores")
public class ObservedStoreResource {
    private final ObservedStoreService stores;

    public ObservedStoreResource(ObservedStoreService stores) {
        this.stores = stores;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Allow({Role.ADMIN, Role.CONSOLE})
    public List<ObservedStoreView> list(@PathParam("tenantId") UUID tenantId) {
        return stores.views(tenantId);
    }
}
