package org.trustfleet.web;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.trustfleet.device.DeviceReportInput;
import org.trustfleet.device.DeviceService;
import org.trustfleet.tenant.Role;

/**
 * What an enrolled device sends with its own token: its reports. (Its payload, the hot path, is served below JAX-RS
 * by {@link DevicePayloadRoute}; reports as devices send them are taken below JAX-RS too, by
 * {@link DeviceReportRoute}, which passes every other request, and every refusal, on to this endpoint.)
 */
@Path("/api/v1/device")
public class DeviceApiResource {
    private final DeviceService devices;
    private final CallerContext callers;

    public DeviceApiResource(DeviceService devices, CallerContext callers) {
        this.devices = devices;
        this.callers = callers;
    }

    @POST
    @Path("/reports")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Allow(Role.DEVICE)
    public Response report(DeviceReportInput body) {
        devices.report(callers.caller().credentialId(), Bodies.required(body));
        return Response.accepted().build();
    }
}
