package org.trustfleet.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.core.TrustfleetException;

/**
 * The HTTP-layer limits, answered with problem documents like every other error: a request target over
 * {@value #MAX_TARGET_CHARS} characters (414), a header section over {@value #MAX_HEADER_BYTES} bytes (431), and a
 * declared {@code Content-Length} over {@code trustfleet.api.max-body-bytes} (413, whatever the path, before the
 * body is read and before Quarkus's own bare 413 for {@code quarkus.http.limits.max-body-size}).
 *
 * <p>The codec's own limits ({@code quarkus.http.limits.max-initial-line-length} and {@code max-header-size},
 * 64 KiB) are set well above the product's limits here, which a route at the front of the router enforces, so the
 * answer says what the product's limit is. Failures inside the router (a request without {@code Host}, Quarkus's own
 * body limit) get problem documents from this route's failure handler, and a target whose percent-encoding does not
 * decode is refused here (the codec-problems extension turns off Quarkus's own check, which answers an empty 400). What the codec itself refuses (a request line or
 * header section over 64 KiB, a {@code Content-Length} that is not one number) is answered by {@link CodecFailures}.
 */
@Singleton
public class HttpLimits {
    /** Longest request target (path and query); the API's own URLs are under 300 characters. */
    static final int MAX_TARGET_CHARS = 4096;
    /** Largest header section (names, values, separators); a bearer token and the usual headers need about 1 KiB. */
    static final int MAX_HEADER_BYTES = 16 * 1024;
    /** A refused body up to this size is read and discarded before closing (the HTTP layer's own backstop). */
    static final long MAX_DRAINED_BYTES = 16L * 1024 * 1024;
    /** Longest a refused body is drained before the connection is closed anyway. */
    static final long DRAIN_TIMEOUT_MS = 10_000;
    /** Runs before Quarkus's body-size check (order -2) and everything after it. */
    static final int ORDER = RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1;

    // a runtime configuration value: looked up per request (the router is built during startup)
    private final Instance<TrustfleetConfig> config;
    private final ObjectMapper json;

    public HttpLimits(Instance<TrustfleetConfig> config, ObjectMapper json) {
        this.config = config;
        this.json = json;
    }

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::check).failureHandler(this::failure);
    }

    /**
     * A request that failed in the HTTP router rather than in JAX-RS (which maps its own failures): a request without
     * a {@code Host} header, a body over Quarkus's own limit, a failure of a route of ours. Vert.x Web and Quarkus
     * would answer these with a bare status or a JSON page that is not a problem document.
     */
    private void failure(RoutingContext rc) {
        if (rc.response().headWritten()) {
            rc.next();
            return;
        }
        Throwable failure = rc.failure();
        int status = rc.statusCode();
        if (failure instanceof TrustfleetException || failure != null && status < 400) {
            fail(rc, failure, rc.request().path(), false); // ours, or unexpected: ProblemMapper decides (500)
            return;
        }
        ErrorKind kind = switch (status) {
            case 401 -> ErrorKind.UNAUTHENTICATED;
            case 403 -> ErrorKind.FORBIDDEN;
            case 404 -> ErrorKind.NOT_FOUND;
            case 405 -> ErrorKind.METHOD_NOT_ALLOWED;
            case 406 -> ErrorKind.NOT_ACCEPTABLE;
            case 413 -> ErrorKind.PAYLOAD_TOO_LARGE;
            case 414 -> ErrorKind.URI_TOO_LONG;
            case 415 -> ErrorKind.UNSUPPORTED_MEDIA_TYPE;
            case 431 -> ErrorKind.HEADERS_TOO_LARGE;
            default -> status >= 500 ? ErrorKind.INTERNAL : ErrorKind.MALFORMED_REQUEST;
        };
        if (kind == ErrorKind.INTERNAL) {
            fail(rc, failure == null ? new IllegalStateException("HTTP router failure " + status) : failure,
                    rc.request().path(), false);
            return;
        }
        // the path is not repeated: it may be what could not be read
        fail(rc, new TrustfleetException(kind, kind == ErrorKind.MALFORMED_REQUEST
                ? "the request could not be understood" : kind.title().toLowerCase(Locale.ROOT)), null,
                kind == ErrorKind.PAYLOAD_TOO_LARGE);
    }

    private void check(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        if (request.uri().length() > MAX_TARGET_CHARS) {
            // the target itself is not repeated in "instance": it is what is too long
            fail(rc, new TrustfleetException(ErrorKind.URI_TOO_LONG,
                    "the request target is longer than " + MAX_TARGET_CHARS + " characters"), null, false);
            return;
        }
        if (!validTarget(request.uri())) {
            // the check Quarkus makes before the router (with an empty 400), made here: the target is not repeated
            fail(rc, new TrustfleetException(ErrorKind.MALFORMED_REQUEST, "the request target is not a valid URI "
                    + "(a '%' not followed by two hexadecimal digits, or a character URIs do not allow)"), null, false);
            return;
        }
        if (headerBytes(request.headers()) > MAX_HEADER_BYTES) {
            fail(rc, new TrustfleetException(ErrorKind.HEADERS_TOO_LARGE,
                    "the request headers are larger than " + MAX_HEADER_BYTES + " bytes"), request.path(), false);
            return;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            long limit = config.get().api().maxBodyBytes();
            long declared;
            try {
                declared = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                fail(rc, new TrustfleetException(ErrorKind.MALFORMED_REQUEST, "Content-Length is not a number"),
                        request.path(), true);
                return;
            }
            if (declared > limit) {
                boolean drain = declared <= MAX_DRAINED_BYTES;
                if (drain) {
                    rc.response().putHeader(HttpHeaders.CONNECTION, "close");
                }
                fail(rc, new TrustfleetException(ErrorKind.PAYLOAD_TOO_LARGE,
                        "request body of " + declared + " bytes exceeds the limit of " + limit), request.path(), !drain);
                if (drain) {
                    drainThenClose(rc);
                }
                return;
            }
        }
        rc.next();
    }

    /**
     * Reads and discards the body of a refused request, then closes: a client still sending it (most send the whole
     * body before they read) gets the 413 instead of a reset connection, as with a lingering close. Bounded by
     * {@link #MAX_DRAINED_BYTES} (larger bodies are cut off at once) and by {@link #DRAIN_TIMEOUT_MS}.
     */
    private static void drainThenClose(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        HttpConnection connection = request.connection();
        long timer = rc.vertx().setTimer(DRAIN_TIMEOUT_MS, id -> connection.close());
        request.handler(ignored -> { });
        request.exceptionHandler(e -> connection.close());
        request.endHandler(done -> {
            rc.vertx().cancelTimer(timer);
            connection.close();
        });
        request.resume();
    }

    /** Whether {@code target} is a URI reference (RFC 2396 as the JDK reads it, the check Quarkus makes). */
    static boolean validTarget(String target) {
        try {
            new URI(target);
            return true;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static long headerBytes(MultiMap headers) {
        long bytes = 0;
        for (Map.Entry<String, String> header : headers) {
            bytes += header.getKey().length() + 2L + header.getValue().length() + 2L; // "name: value\r\n"
        }
        return bytes;
    }

    /** Writes the problem ({@link ProblemMapper#render}); {@code close} when a body will not be read. */
    private void fail(RoutingContext rc, Throwable problem, String path, boolean close) {
        HttpServerResponse response = rc.response();
        if (close) {
            response.putHeader(HttpHeaders.CONNECTION, "close");
            response.endHandler(done -> rc.request().connection().close());
        }
        ProblemMapper.render(problem, path).send(response, json, HttpMethod.HEAD.equals(rc.request().method()));
    }
}
