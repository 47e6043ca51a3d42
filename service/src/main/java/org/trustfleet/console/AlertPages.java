package org.trustfleet.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.trustfleet.alert.AlertChannel;
import org.trustfleet.alert.AlertDelivery;
import org.trustfleet.alert.ChannelService;
import org.trustfleet.alert.DeliveryStore;
import org.trustfleet.tenant.Caller;
import org.trustfleet.tenant.Role;
import org.trustfleet.tenant.TenantService;
import org.trustfleet.web.Allow;
import org.trustfleet.web.CallerContext;

/**
 * The console page of a tenant's alert channels and its most recent deliveries (read-only: channels are managed
 * through the API, whose answer is the only place a webhook secret appears).
 */
@Path("/console/tenants/{tenantId}/alerts")
@Produces(MediaType.TEXT_HTML)
public class AlertPages {
    /** Deliveries shown on the page, newest first. */
    static final int RECENT = 50;

    private final CallerContext callers;
    private final TenantService tenants;
    private final ChannelService channels;
    private final DeliveryStore deliveries;

    public AlertPages(CallerContext callers, TenantService tenants, ChannelService channels,
            DeliveryStore deliveries) {
        this.callers = callers;
        this.tenants = tenants;
        this.channels = channels;
        this.deliveries = deliveries;
    }

    @CheckedTemplate(basePath = "console", requireTypeSafeExpressions = false)
    static class Templates {
        static native TemplateInstance alerts(Views.Chrome chrome, List<AlertChannel> channels,
                List<AlertDelivery> deliveries);
    }

    @GET
    @Allow({Role.OPERATOR, Role.ADMIN})
    public TemplateInstance page(@PathParam("tenantId") UUID tenantId,
            @CookieParam(ConsoleAccess.SESSION_COOKIE) String session) {
        Caller caller = callers.caller();
        Views.Chrome chrome = new Views.Chrome(tenantId, tenants.require(tenantId).name(),
                caller.role().name().toLowerCase(Locale.ROOT), caller.role() == Role.ADMIN,
                ConsoleSessions.csrfToken(session), "alerts", null);
        return Templates.alerts(chrome, channels.list(tenantId), deliveries.list(tenantId, RECENT, null));
    }
}
