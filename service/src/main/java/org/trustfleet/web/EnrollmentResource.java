package org.trustfleet.web;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.trustfleet.device.Enrollment;
import org.trustfleet.device.EnrollmentRequest;
import org.trustfleet.device.EnrollmentService;

/**
 * Enrollment: agents exchange an enrollment token for a device credential. The client address used for
 * rate limiting is the connection's peer, or the forwarded client when {@code quarkus.http.proxy.*} forwarding is
 * enabled behind a trusted proxy.
 */
@Path("/api/v1/enroll")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class EnrollmentResource {
    private final EnrollmentService enrollment;

    public EnrollmentResource(EnrollmentService enrollment) {
        this.enrollment = enrollment;
    }

    @POST
    @PublicEndpoint
    public Response enroll(EnrollmentRequest body, @Context HttpServerRequest request) {
        SocketAddress peer = request.remoteAddress();
        String address = peer == null ? "unknown" : peer.hostAddress();
        Enrollment result = enrollment.enroll(Bodies.required(body), address);
        return Response.status(Response.Status.CREATED).entity(result).build();
    }
}
