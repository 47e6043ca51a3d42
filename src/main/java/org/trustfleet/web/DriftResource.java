package org.trustfleet.web;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.trustfleet.drift.DriftReport;
import org.trustfleet.drift.DriftService;
import org.trustfleet.tenant.Role;

/** A tenant's drift report. */
@Path("/api/v1/tenants/{tenantId}/drift-report")
@Produces(MediaType.APPLICATION_JSON)
public class DriftResource {
    private final DriftService drift;

    public DriftResource(DriftService drift) {
        this.drift = drift;
    }

    @GET
    @Allow({Role.ADMIN, Role.CONSOLE})
    public DriftReport report(@PathParam("tenantId") UUID tenantId) {
        return drift.report(tenantId);
    }
}
