package org.trustfleet.web;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.trustfleet.device.DeviceVerificationInput;
import org.trustfleet.device.DeviceVerificationService;
import org.trustfleet.tenant.Role;

/** What an enrolled device found when it connected to its group's endpoints itself (device token). */
@Path("/api/v1/device/verifications")
public class DeviceVerificationResource {
    private final DeviceVerificationService verifications;
    private final CallerContext callers;

    public DeviceVerificationResource(DeviceVerificationService verifications, CallerContext callers) {
        this.verifications = verifications;
        this.callers = callers;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Allow(Role.DEVICE)
    public Response record(DeviceVerificationInput body) {
        verifications.record(callers.caller().credentialId(), Bodies.required(body));
        return Response.accepted().build();
    }
}
