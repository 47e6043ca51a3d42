package org.trustfleet.web;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.trustfleet.device.DeviceObservationInput;
import org.trustfleet.device.DeviceObservationService;
import org.trustfleet.tenant.Role;

/** What an enrolled device reports about itself: its facts and the system CA store it really has (device token). */
@Path("/api/v1/device/observations")
public class DeviceObservationResource {
    private final DeviceObservationService observations;
    private final CallerContext callers;

    public DeviceObservationResource(DeviceObservationService observations, CallerContext callers) {
        this.observations = observations;
        this.callers = callers;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Allow(Role.DEVICE)
    public Response record(DeviceObservationInput body) {
        observations.record(callers.caller().credentialId(), Bodies.required(body));
        return Response.accepted().build();
    }
}
