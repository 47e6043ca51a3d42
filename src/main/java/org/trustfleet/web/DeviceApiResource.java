package org.trustfleet.web;

import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.trustfleet.device.DeviceReportInput;
import org.trustfleet.device.DeviceService;
import org.trustfleet.payload.SignedPayload;
import org.trustfleet.tenant.Role;

/** What an enrolled device calls with its own token: its group's signed payload, and its reports. */
@Path("/api/v1/device")
public class DeviceApiResource {
    /** The payload's media type: DER CMS SignedData. */
    static final String PKCS7_MIME = "application/pkcs7-mime";

    private final DeviceService devices;
    private final CallerContext callers;

    public DeviceApiResource(DeviceService devices, CallerContext callers) {
        this.devices = devices;
        this.callers = callers;
    }

    /**
     * The device's signed payload. Runs on the event loop: with the token and the payload cached (the normal case)
     * nothing blocks and the shared bytes are written as they are; otherwise the lookup moves to a worker thread.
     */
    @GET
    @Path("/payload")
    @Produces(PKCS7_MIME)
    @Allow(Role.DEVICE)
    @NonBlocking
    public Uni<Response> payload(@HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        UUID deviceId = callers.caller().credentialId();
        SignedPayload cached = devices.payloadFromMemory(deviceId);
        if (cached != null) {
            return Uni.createFrom().item(respond(cached, ifNoneMatch));
        }
        return Uni.createFrom().item(() -> respond(devices.payload(deviceId), ifNoneMatch))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private static Response respond(SignedPayload payload, String ifNoneMatch) {
        String etag = EntityTags.strong(payload.etag());
        if (EntityTags.noneMatchFails(ifNoneMatch, payload.etag())) {
            return Response.notModified().header(HttpHeaders.ETAG, etag)
                    .header(HttpHeaders.CACHE_CONTROL, "private, no-cache").build();
        }
        return Response.ok(payload.cms(), PKCS7_MIME).header(HttpHeaders.ETAG, etag)
                .header(HttpHeaders.CACHE_CONTROL, "private, no-cache").build();
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
