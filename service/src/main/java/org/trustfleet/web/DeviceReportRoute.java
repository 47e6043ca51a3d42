package org.trustfleet.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.device.DeviceAuthService;
import org.trustfleet.device.DeviceIdentity;
import org.trustfleet.device.DeviceReportInput;
import org.trustfleet.device.DeviceService;

/**
 * {@code POST /api/v1/device/reports} as devices send it, answered below JAX-RS: after the payload
 * ({@link DevicePayloadRoute}) the most frequent request of the service, every device every 15 minutes (about 1,100 a
 * second at a million devices). JAX-RS runs each request on a worker thread that reads the body from the event loop
 * chunk by chunk; here a small body is read on the event loop, checked as the endpoint checks it (the device token,
 * strict JSON, the constraints of {@link DeviceReportInput} through {@link DeviceService#submitReport}), and queued,
 * and the request is answered when its batch has committed. A token this replica has not cached is looked up with
 * others in one query ({@link DeviceAuthService#lookUp}); no worker thread waits for either.
 *
 * <p>This route only ever accepts. Whatever it would not accept as the endpoint would — a check that fails, a token
 * that is no device's, a body that is large, chunked or waits for a {@code 100 Continue}, another media type or
 * {@code Accept}, a query string — is passed on with the body already read to {@link DeviceApiResource}, which
 * answers it as it always did: every refusal of a report comes from JAX-RS. A report that was queued and then failed
 * (its device revoked meanwhile, the database unreachable) is answered here with {@link ProblemMapper}'s document.
 */
// @Singleton rather than @ApplicationScoped: no client proxy on the hot path
@Singleton
public class DeviceReportRoute {
    static final String PATH = "/api/v1/device/reports";
    /** Largest body read here: a report naming a few hundred certificates, far above a usual one. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    /** Set on a request whose body this route reads (and then answers, or passes on). */
    private static final String READ_HERE = DeviceReportRoute.class.getName();

    private final Authenticator authenticator;
    private final DeviceAuthService deviceTokens;
    private final DeviceService devices;
    private final ObjectMapper json;
    private final long maxBodyBytes;
    private final BodyHandler bodies;

    public DeviceReportRoute(Authenticator authenticator, DeviceAuthService deviceTokens, DeviceService devices,
            ObjectMapper json, TrustfleetConfig config) {
        this.authenticator = authenticator;
        this.deviceTokens = deviceTokens;
        this.devices = devices;
        this.json = json;
        this.maxBodyBytes = Math.min(MAX_BODY_BYTES, config.api().maxBodyBytes());
        this.bodies = BodyHandler.create(false).setBodyLimit(maxBodyBytes).setMergeFormAttributes(false);
    }

    /** Before the JAX-RS routes; what is passed on reaches them with its body. */
    void install(@Observes Router router) {
        router.post(PATH).order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT).handler(this::read).handler(this::handle);
    }

    private void read(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        if (PATH.equals(request.path()) && request.query() == null
                && usual(request.getHeader(HttpHeaders.CONTENT_TYPE), request.getHeader(HttpHeaders.ACCEPT),
                        request.getHeader(HttpHeaders.CONTENT_LENGTH), request.getHeader(HttpHeaders.EXPECT),
                        maxBodyBytes)) {
            rc.put(READ_HERE, Boolean.TRUE);
            bodies.handle(rc); // goes on to handle once the body is in
        } else {
            rc.next();
        }
    }

    private void handle(RoutingContext rc) {
        if (rc.get(READ_HERE) == null) {
            rc.next();
            return;
        }
        String token;
        DeviceReportInput report;
        try {
            token = authenticator.bearerToken(rc.request().getHeader(HttpHeaders.AUTHORIZATION));
            Buffer body = rc.body().buffer();
            report = body == null || body.length() == 0 ? null : json.readValue(body.getBytes(), DeviceReportInput.class);
        } catch (Exception e) {
            rc.next(); // JAX-RS answers it (401, 400)
            return;
        }
        if (report == null || !DeviceAuthService.isDeviceToken(token)) {
            rc.next();
            return;
        }
        CompletableFuture<Optional<DeviceIdentity>> device = deviceTokens.lookUp(token);
        if (device.isDone() && !device.isCompletedExceptionally()) {
            submitFor(rc, device.join(), report); // cached: no hop
            return;
        }
        // not cached on this replica: looked up with other tokens in one query, then back on the event loop
        Context context = rc.vertx().getOrCreateContext();
        device.whenComplete((found, failure) -> context.runOnContext(ignored -> {
            if (failure == null) {
                submitFor(rc, found, report);
            } else {
                rc.next();
            }
        }));
    }

    private void submitFor(RoutingContext rc, Optional<DeviceIdentity> device, DeviceReportInput report) {
        if (device.isPresent()) {
            submit(rc, device.get().deviceId(), report);
        } else {
            rc.next(); // JAX-RS answers 401
        }
    }

    /** Queues the report and answers once it is committed; a report the checks refuse is passed on. */
    private void submit(RoutingContext rc, UUID deviceId, DeviceReportInput report) {
        CompletableFuture<Void> stored;
        try {
            stored = devices.submitReport(deviceId, report);
        } catch (RuntimeException e) {
            rc.next(); // nothing was queued: JAX-RS answers it (400, or 503 with the queue still full)
            return;
        }
        Context context = rc.vertx().getOrCreateContext();
        stored.whenComplete((done, failure) -> context.runOnContext(ignored -> {
            HttpServerResponse response = rc.response();
            if (response.closed() || response.ended()) {
                return; // the client went away; the report was stored (or not) all the same
            }
            if (failure == null) {
                response.setStatusCode(202).end();
            } else {
                Throwable error = failure instanceof CompletionException c && c.getCause() != null
                        ? c.getCause() : failure;
                ProblemMapper.render(error, PATH).send(response, json, false);
            }
        }));
    }

    /**
     * Whether a request with these headers (null when absent) is one this route reads: a JSON body (UTF-8, the
     * default) of a declared length from 1 to {@code maxBodyBytes}, no {@code Expect}, and an {@code Accept} that
     * is absent or takes JSON or anything. Anything else goes to JAX-RS unread.
     */
    static boolean usual(String contentType, String accept, String contentLength, String expect, long maxBodyBytes) {
        if (contentType == null || contentLength == null || expect != null) {
            return false;
        }
        String type = contentType.toLowerCase(Locale.ROOT).replace(" ", "");
        if (!type.equals("application/json") && !type.equals("application/json;charset=utf-8")) {
            return false;
        }
        if (accept != null && !accept.isBlank()) {
            String taken = accept.strip().toLowerCase(Locale.ROOT);
            if (!taken.equals("*/*") && !taken.equals("application/json")) {
                return false;
            }
        }
        try {
            long declared = Long.parseLong(contentLength.strip());
            return declared > 0 && declared <= maxBodyBytes;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
