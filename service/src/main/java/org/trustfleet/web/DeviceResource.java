package org.trustfleet.web;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
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
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.device.DeviceService;
import org.trustfleet.device.DeviceVerificationService;
import org.trustfleet.device.EndpointVerification;
import org.trustfleet.device.DeviceView;
import org.trustfleet.tenant.Role;

/** A tenant's enrolled devices with their compliance, and revocation. */
@Path("/api/v1/tenants/{tenantId}/devices")
@Produces(MediaType.APPLICATION_JSON)
public class DeviceResource {
    private final DeviceService devices;
    private final DeviceVerificationService verifications;

    public DeviceResource(DeviceService devices, DeviceVerificationService verifications) {
        this.devices = devices;
        this.verifications = verifications;
    }

    /** Pages in id order; when a page is full, a {@code Link: <…?after=<last id>&limit=n>; rel="next"} follows. */
    @GET
    @Allow({Role.ADMIN, Role.CONSOLE})
    public Response list(@PathParam("tenantId") UUID tenantId, @QueryParam("limit") String limit,
            @QueryParam("after") String after, UriInfo uri) {
        Integer n = Require.wholeNumber(limit, "limit");
        UUID cursor = after == null || after.isBlank() ? null : parseCursor(after);
        List<DeviceView> page = withVerifications(tenantId, devices.list(tenantId, n, cursor));
        return Paging.page(page, n == null ? DeviceService.DEFAULT_LIMIT : n, uri,
                page.isEmpty() ? null : page.get(page.size() - 1).id().toString());
    }

    @GET
    @Path("/{deviceId}")
    @Allow({Role.ADMIN, Role.CONSOLE})
    public DeviceView get(@PathParam("tenantId") UUID tenantId, @PathParam("deviceId") String deviceId) {
        return withVerifications(tenantId, List.of(devices.get(tenantId, Require.id(deviceId, "device")))).get(0);
    }

    @DELETE
    @Path("/{deviceId}")
    @Allow(Role.ADMIN)
    public Response revoke(@PathParam("tenantId") UUID tenantId, @PathParam("deviceId") String deviceId) {
        devices.revoke(tenantId, Require.id(deviceId, "device"));
        return Response.noContent().build();
    }

    private List<DeviceView> withVerifications(UUID tenantId, List<DeviceView> page) {
        java.util.Map<UUID, List<EndpointVerification>> latest = verifications.ofDevices(tenantId,
                page.stream().map(DeviceView::id).toList());
        return page.stream().map(d -> d.withVerifications(latest.getOrDefault(d.id(), List.of()))).toList();
    }

    private static UUID parseCursor(String value) {
        try {
            return UUID.fromString(value.strip());
        } catch (IllegalArgumentException e) {
            throw TrustfleetException.validation("'after' must be a device id");
        }
    }
}
