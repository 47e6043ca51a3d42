package org.trustfleet.web;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.trustfleet.drift.DriftReport;
import org.trustfleet.drift.DriftService;
import org.trustfleet.tenant.Role;

/**
 * A tenant's drift report: JSON for programs, and the same report as an HTML page for a browser (whatever asks
 * for {@code text/html} first, e.g. behind an SSO proxy that adds the bearer token). Same route, same access check.
 */
@Path("/api/v1/tenants/{tenantId}/drift-report")
public class DriftResource {
    private final DriftService drift;

    public DriftResource(DriftService drift) {
        this.drift = drift;
    }

    /** The admin page's template ({@code templates/DriftResource/page.html}); Qute escapes every value. */
    @CheckedTemplate
    static class Templates {
        static native TemplateInstance page(DriftReport report);
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Allow({Role.ADMIN, Role.CONSOLE})
    public DriftReport report(@PathParam("tenantId") UUID tenantId) {
        return drift.report(tenantId);
    }

    // qs below 1: a client that accepts both (a wildcard) gets JSON, a browser (text/html first) gets the page
    @GET
    @Produces("text/html;qs=0.5")
    @Allow({Role.ADMIN, Role.CONSOLE})
    public TemplateInstance page(@PathParam("tenantId") UUID tenantId) {
        return Templates.page(drift.report(tenantId));
    }
}
