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
import org.trustfleet.alert.AlertChannel;
import org.trustfleet.alert.AlertChannelInput;
import org.trustfleet.alert.AlertDelivery;
import org.trustfleet.alert.AlertEvent;
import org.trustfleet.alert.ChannelService;
import org.trustfleet.alert.CreatedChannel;
import org.trustfleet.alert.DeliveryStore;
import org.trustfleet.core.Require;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.tenant.Role;

/** A tenant's alert channels (admin) and the log of alert deliveries. */
@Path("/api/v1/tenants/{tenantId}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AlertResource {
    private final ChannelService channels;
    private final DeliveryStore deliveries;

    public AlertResource(ChannelService channels, DeliveryStore deliveries) {
        this.channels = channels;
        this.deliveries = deliveries;
    }

    @GET
    @Path("/alert-channels")
    @Allow(Role.ADMIN)
    public List<AlertChannel> list(@PathParam("tenantId") UUID tenantId) {
        return channels.list(tenantId);
    }

    /** 201 with the channel; a webhook's {@code secret} is in this answer only. */
    @POST
    @Path("/alert-channels")
    @Allow(Role.ADMIN)
    public Response create(@PathParam("tenantId") UUID tenantId, AlertChannelInput body, UriInfo uri) {
        CreatedChannel created = channels.create(tenantId, Bodies.required(body));
        return Response.created(uri.getAbsolutePathBuilder().path(created.id().toString()).build())
                .entity(created).build();
    }

    @GET
    @Path("/alert-channels/{channelId}")
    @Allow(Role.ADMIN)
    public AlertChannel get(@PathParam("tenantId") UUID tenantId, @PathParam("channelId") String channelId) {
        return channels.get(tenantId, Require.id(channelId, "alert channel"));
    }

    @DELETE
    @Path("/alert-channels/{channelId}")
    @Allow(Role.ADMIN)
    public Response delete(@PathParam("tenantId") UUID tenantId, @PathParam("channelId") String channelId) {
        channels.delete(tenantId, Require.id(channelId, "alert channel"));
        return Response.noContent().build();
    }

    /** Queues a TEST event for this channel: 202 with the event; the delivery log shows the outcome. */
    @POST
    @Path("/alert-channels/{channelId}/test")
    @Consumes(MediaType.WILDCARD) // no body: a bare POST must not be refused for its content type
    @Allow(Role.ADMIN)
    public Response test(@PathParam("tenantId") UUID tenantId, @PathParam("channelId") String channelId) {
        AlertEvent event = channels.test(tenantId, Require.id(channelId, "alert channel"));
        return Response.accepted(event).build();
    }

    /** Newest first; a full page carries {@code Link: <…?after=<seq>&limit=n>; rel="next"}. */
    @GET
    @Path("/alert-deliveries")
    @Allow(Role.ADMIN)
    public Response deliveries(@PathParam("tenantId") UUID tenantId, @QueryParam("limit") String limit,
            @QueryParam("after") String after, UriInfo uri) {
        Integer n = Require.wholeNumber(limit, "limit");
        Long cursor = after == null || after.isBlank() ? null : parseCursor(after);
        List<AlertDelivery> page = deliveries.list(tenantId, n, cursor);
        return Paging.page(page, n == null ? DeliveryStore.DEFAULT_LIMIT : n, uri,
                page.isEmpty() ? null : Long.toString(page.get(page.size() - 1).seq()));
    }

    private static Long parseCursor(String value) {
        try {
            long seq = Long.parseLong(value.strip());
            if (seq < 1) {
                throw new NumberFormatException();
            }
            return seq;
        } catch (NumberFormatException e) {
            throw TrustfleetException.validation("'after' must be the seq of a delivery (a positive whole number)");
        }
    }
}
