package org.trustfleet.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.device.DeviceAuthService;
import org.trustfleet.device.DeviceService;
import org.trustfleet.payload.SignedPayload;
import org.trustfleet.payload.SignedPayloadService;
import org.trustfleet.tenant.Caller;
import org.trustfleet.tenant.Role;

/**
 * {@code GET /api/v1/device/payload}, served directly on Vert.x rather than through JAX-RS because every enrolled
 * device polls it: the hot path of the service. The route consults the delivery cache once (token digest → signed
 * payload, {@link DeviceAuthService#cachedDelivery}); a hit (the normal case) is answered on the event loop. A device
 * token the cache does not know is looked up with others in one query
 * ({@link DeviceAuthService#lookUp}, no worker thread waiting) and the cache consulted again: the group's payload is
 * usually there, for the group's other devices. Anything else takes the one blocking path on a worker thread:
 * {@link Authenticator} (as for every JAX-RS endpoint: 401, 403) and {@link DeviceService#payload}, which fills the
 * cache. A 304 (and a HEAD) needs nothing more; a 200 writes the payload's bytes as the replica holds them, or, where
 * it does not, once read from the database with others' ({@link SignedPayloadService#bytes}, no worker thread
 * waiting). Failures are {@link ProblemMapper}'s problem documents.
 */
// @Singleton rather than @ApplicationScoped: no client proxy between the beans of the device payload hot path
@Singleton
public class DevicePayloadRoute {
    static final String PATH = "/api/v1/device/payload";
    /** The payload's media type: DER CMS SignedData. */
    static final String PKCS7_MIME = "application/pkcs7-mime";
    private static final String CACHE_CONTROL = "private, no-cache";

    private final Authenticator authenticator;
    private final DeviceAuthService deliveries;
    private final DeviceService devices;
    private final SignedPayloadService payloads;
    private final ObjectMapper json;
    private final PayloadRouteTimers timers;

    public DevicePayloadRoute(Authenticator authenticator, DeviceAuthService deliveries, DeviceService devices,
            SignedPayloadService payloads, ObjectMapper json, PayloadRouteTimers timers) {
        this.authenticator = authenticator;
        this.deliveries = deliveries;
        this.devices = devices;
        this.payloads = payloads;
        this.json = json;
        this.timers = timers;
    }

    /** Installed before the JAX-RS routes, so this path never reaches them. */
    void install(@Observes Router router) {
        router.route(PATH).order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT).handler(this::handle);
    }

    private void handle(RoutingContext rc) {
        long started = System.nanoTime();
        HttpServerRequest request = rc.request();
        String ifNoneMatch = request.getHeader(HttpHeaders.IF_NONE_MATCH);
        String token;
        try {
            if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
                rc.response().putHeader(HttpHeaders.ALLOW, "GET, HEAD");
                throw new TrustfleetException(ErrorKind.METHOD_NOT_ALLOWED,
                        "this method is not allowed on this path");
            }
            token = authenticator.bearerToken(request.getHeader(HttpHeaders.AUTHORIZATION));
            if (!acceptsPayload(request.getHeader(HttpHeaders.ACCEPT))) {
                throw new TrustfleetException(ErrorKind.NOT_ACCEPTABLE,
                        "the payload is " + PKCS7_MIME + "; the Accept header excludes it");
            }
            SignedPayload cached = deliveries.cachedDelivery(token);
            if (cached != null) {
                respond(rc, token, cached, ifNoneMatch, started, false);
                return;
            }
        } catch (RuntimeException e) {
            fail(rc, e, started);
            return;
        }
        if (!DeviceAuthService.isDeviceToken(token)) {
            load(rc, token, ifNoneMatch, started, false); // answered there: 401
            return;
        }
        // the token not cached: looked up with others in one query, then the delivery cache again, on the event
        // loop (the group's payload is usually there already, for its other devices)
        Context context = rc.vertx().getOrCreateContext();
        deliveries.lookUp(token).whenComplete((device, failure) -> context.runOnContext(ignored -> {
            if (rc.response().closed() || rc.response().ended()) {
                return; // the client went away meanwhile
            }
            if (failure != null) {
                // the blocking path would look the token up again and fail alike (a full queue, the database)
                fail(rc, unwrapped(failure), started);
                return;
            }
            SignedPayload cached = device.isPresent() ? deliveries.cachedDelivery(token, device.get()) : null;
            if (cached != null) {
                respond(rc, token, cached, ifNoneMatch, started, false);
            } else {
                load(rc, token, ifNoneMatch, started, false);
            }
        }));
    }

    /**
     * The one blocking path, off the event loop, and back to it to answer. {@code reloaded}: taken because the
     * payload first found had been replaced in the database.
     */
    private void load(RoutingContext rc, String token, String ifNoneMatch, long started, boolean reloaded) {
        rc.vertx().<SignedPayload>executeBlocking(() -> {
            Caller caller = authenticator.authenticate(token); // 401 for unknown tokens, whatever their kind
            Authenticator.requireRole(caller, Role.DEVICE);
            return devices.payload(token);
        }, false).onComplete(done -> {
            if (rc.response().closed() || rc.response().ended()) {
                return; // the client went away while the worker looked it up
            }
            if (done.succeeded()) {
                respond(rc, token, done.result(), ifNoneMatch, started, reloaded);
            } else {
                fail(rc, done.cause(), started);
            }
        });
    }

    /**
     * Answers with {@code payload}: a 304 or a HEAD at once, a 200 with the bytes this replica holds, or once they
     * are read from the database. Where the database holds another payload for the group by then (re-signed or
     * replaced by another replica), the group's current payload is looked up again, once ({@code reloaded}).
     */
    private void respond(RoutingContext rc, String token, SignedPayload payload, String ifNoneMatch, long started,
            boolean reloaded) {
        if (EntityTags.matchesCurrent(ifNoneMatch, payload.etag()) || HttpMethod.HEAD.equals(rc.request().method())) {
            answer(rc, payload, null, ifNoneMatch, started);
            return;
        }
        ByteBuf held = payloads.heldBytes(payload);
        if (held != null) {
            answer(rc, payload, held, ifNoneMatch, started);
            return;
        }
        Context context = rc.vertx().getOrCreateContext();
        payloads.bytes(payload).whenComplete((cms, failure) -> context.runOnContext(ignored -> {
            if (rc.response().closed() || rc.response().ended()) {
                if (cms != null) {
                    cms.release(); // the client went away meanwhile
                }
                return;
            }
            if (failure != null) {
                fail(rc, unwrapped(failure), started);
            } else if (cms != null) {
                answer(rc, payload, cms, ifNoneMatch, started);
            } else if (reloaded) {
                fail(rc, TrustfleetException.unavailable("the group's payload changed while it was being read; retry",
                        Duration.ofSeconds(1)), started);
            } else {
                payloads.forget(payload.groupId());
                load(rc, token, ifNoneMatch, started, true);
            }
        }));
    }

    /** Writes the answer; {@code cms} (a 200's bytes, else null) is released once written. */
    private void answer(RoutingContext rc, SignedPayload payload, ByteBuf cms, String ifNoneMatch, long started) {
        HttpServerResponse response = rc.response()
                .putHeader(HttpHeaders.ETAG, EntityTags.strong(payload.etag()))
                .putHeader(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL);
        if (EntityTags.matchesCurrent(ifNoneMatch, payload.etag())) {
            response.setStatusCode(304).end();
        } else {
            response.putHeader(HttpHeaders.CONTENT_TYPE, PKCS7_MIME);
            if (cms == null) { // HEAD
                response.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(payload.size())).end();
            } else {
                // written as they are (outside the heap); Vert.x wraps them so that the write releases nothing, so
                // this response's reference is released once the write completed or failed
                try {
                    response.end(Buffer.buffer(cms)).onComplete(written -> cms.release());
                } catch (RuntimeException e) {
                    cms.release();
                    throw e;
                }
            }
        }
        timers.record(rc.request().method(), response.getStatusCode(), started);
    }

    /** What a future's failure stands for: the cause a {@link CompletionException} wraps, else itself. */
    private static Throwable unwrapped(Throwable failure) {
        return failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
    }

    private void fail(RoutingContext rc, Throwable error, long started) {
        ProblemMapper.render(error, PATH).send(rc.response(), json, HttpMethod.HEAD.equals(rc.request().method()));
        timers.record(rc.request().method(), rc.response().getStatusCode(), started);
    }

    /**
     * Whether an {@code Accept} header (may be null) admits the payload's type (RFC 9110 section 12.5.1): the most
     * specific of the ranges that match it ({@code application/pkcs7-mime}, then {@code application/*}, then
     * {@code *}{@code /*}) decides, and admits it unless weighted {@code q=0}.
     */
    static boolean acceptsPayload(String accept) {
        if (accept == null || accept.isBlank()) {
            return true;
        }
        int bestSpecificity = -1;
        boolean bestAdmits = false;
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].strip().toLowerCase(Locale.ROOT);
            int specificity = switch (type) {
                case PKCS7_MIME -> 2;
                case "application/*" -> 1;
                case "*/*" -> 0;
                default -> -1;
            };
            if (specificity < 0) {
                continue;
            }
            boolean admits = true;
            for (int i = 1; i < parts.length; i++) {
                String param = parts[i].strip().toLowerCase(Locale.ROOT);
                if (param.startsWith("q=") && param.substring(2).strip().matches("0(\\.0{0,3})?")) {
                    admits = false;
                }
            }
            if (specificity > bestSpecificity) {
                bestSpecificity = specificity;
                bestAdmits = admits;
            }
        }
        return bestAdmits;
    }
}
