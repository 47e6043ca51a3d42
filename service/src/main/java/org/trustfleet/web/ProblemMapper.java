package org.trustfleet.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.core.JsonParseException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.TrustfleetException;

/**
 * The one place where failures become {@code application/problem+json}. Client errors say what to fix; server
 * errors say only that something failed and give a reference to find it in the logs, never internals.
 */
public class ProblemMapper {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response trustfleet(TrustfleetException e, UriInfo uri) {
        return response(render(e, path(uri)));
    }

    /**
     * A request record (or a parameter) that broke its Bean Validation constraints on entering a service: the same
     * {@code validation} problem as a {@link TrustfleetException}, one sentence per field in declaration order, all
     * of them on one line in the detail. Only field names and constraint wording appear, never the rejected value.
     * This mapper is for the exact type, so it answers before Quarkus's own one for {@code ValidationException}.
     */
    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e, UriInfo uri) {
        List<String> errors = e.getConstraintViolations().stream().sorted(DECLARATION_ORDER)
                .map(v -> "'" + fieldName(v.getPropertyPath()) + "' " + v.getMessage()).distinct().toList();
        if (errors.isEmpty()) {
            return internal(e, uri);
        }
        return problem(ErrorKind.VALIDATION, String.join("; ", errors), errors.size() > 1 ? errors : List.of(),
                uri);
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        Optional<TrustfleetException> ours = ownCause(e);
        if (ours.isPresent()) {
            return trustfleet(ours.get(), uri);
        }
        // the JSON reader reports unreadable bodies wrapped in a 400
        if (e.getCause() instanceof UnrecognizedPropertyException cause) {
            return unrecognizedField(cause, uri);
        }
        if (e.getCause() instanceof MismatchedInputException cause) {
            return mismatchedInput(cause, uri);
        }
        if (e.getCause() instanceof JsonParseException cause) {
            return jsonParse(cause, uri);
        }
        if (e.getCause() instanceof JsonProcessingException cause) {
            return json(cause, uri);
        }
        int status = e.getResponse().getStatus();
        return switch (status) {
            case 400 -> problem(ErrorKind.MALFORMED_REQUEST, "the request could not be understood", List.of(), uri);
            case 401 -> problem(ErrorKind.UNAUTHENTICATED, "a bearer token is required", List.of(), uri);
            case 403 -> problem(ErrorKind.FORBIDDEN, "not allowed", List.of(), uri);
            case 404 -> problem(ErrorKind.NOT_FOUND, "no resource at this path", List.of(), uri);
            case 405 -> problem(ErrorKind.METHOD_NOT_ALLOWED, "this method is not allowed on this path", List.of(),
                    uri);
            case 406 -> problem(ErrorKind.NOT_ACCEPTABLE, "no representation matches the Accept header", List.of(),
                    uri);
            case 413 -> problem(ErrorKind.PAYLOAD_TOO_LARGE, "the request body is too large", List.of(), uri);
            case 415 -> problem(ErrorKind.UNSUPPORTED_MEDIA_TYPE,
                    "send the body as application/json", List.of(), uri);
            default -> status >= 500 ? internal(e, uri)
                    : problem(ErrorKind.MALFORMED_REQUEST, "the request could not be processed", List.of(), uri);
        };
    }

    @ServerExceptionMapper
    public Response unrecognizedField(UnrecognizedPropertyException e, UriInfo uri) {
        return problem(ErrorKind.MALFORMED_REQUEST, "unknown field '" + e.getPropertyName() + "'", List.of(), uri);
    }

    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e, UriInfo uri) {
        Optional<TrustfleetException> ours = ownCause(e);
        if (ours.isPresent()) {
            return trustfleet(ours.get(), uri);
        }
        String path = fieldPath(e);
        String detail = path.isEmpty() ? "the request body does not have the expected shape"
                : "field '" + path + "' has the wrong type or format";
        return problem(ErrorKind.MALFORMED_REQUEST, detail, List.of(), uri);
    }

    @ServerExceptionMapper
    public Response jsonParse(JsonParseException e, UriInfo uri) {
        return problem(ErrorKind.MALFORMED_REQUEST, "the request body is not valid JSON", List.of(), uri);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, UriInfo uri) {
        Optional<TrustfleetException> ours = ownCause(e);
        if (ours.isPresent()) {
            return trustfleet(ours.get(), uri);
        }
        String path = e instanceof JsonMappingException mapping ? fieldPath(mapping) : "";
        String detail = path.isEmpty() ? "the request body could not be read as JSON"
                : "field '" + path + "' could not be read";
        return problem(ErrorKind.MALFORMED_REQUEST, detail, List.of(), uri);
    }

    /**
     * A body Jackson cannot even decode to characters (it guesses UTF-16/32 from leading zero bytes, then meets an
     * invalid code point): unreadable input like any other, not a server error. Found by fuzzing.
     */
    @ServerExceptionMapper
    public Response undecodableBody(java.io.CharConversionException e, UriInfo uri) {
        return problem(ErrorKind.MALFORMED_REQUEST, "the request body is not valid JSON", List.of(), uri);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri) {
        return internal(e, uri);
    }

    /** A failure as it goes on the wire: the problem document and, for 429 and 503, when to retry. */
    record Rendered(ErrorKind kind, Problem body, Optional<Duration> retryAfter) {
        /**
         * The headers that go with the problem besides its content type: the bearer challenge with a 401, and
         * {@code Retry-After} in whole seconds (at least 1) when the failure says when to retry.
         */
        Map<String, String> headers() {
            Map<String, String> headers = new LinkedHashMap<>();
            if (kind == ErrorKind.UNAUTHENTICATED) {
                headers.put(HttpHeaders.WWW_AUTHENTICATE, Problem.BEARER_CHALLENGE);
            }
            retryAfter.ifPresent(d -> headers.put(HttpHeaders.RETRY_AFTER,
                    Long.toString(Math.max(1, (d.toMillis() + 999) / 1000))));
            return headers;
        }

        /**
         * Answers with the problem, for the edges below JAX-RS that write the response themselves: status, content
         * type, {@link #headers}, and the document unless {@code head} (a HEAD request gets the GET's status and
         * headers, no body).
         */
        void send(io.vertx.core.http.HttpServerResponse response, ObjectMapper json, boolean head) {
            response.setStatusCode(kind.status()).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
            headers().forEach(response::putHeader);
            if (head) {
                response.end();
            } else {
                response.end(io.vertx.core.buffer.Buffer.buffer(bytes(json)));
            }
        }

        /** The problem document's bytes. */
        byte[] bytes(ObjectMapper json) {
            try {
                return json.writeValueAsBytes(body);
            } catch (JsonProcessingException e) { // a record of strings: cannot happen, but never answer without a body
                return ("{\"status\":" + kind.status() + "}").getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    /**
     * What any failure becomes: a {@link TrustfleetException} says what happened; anything else (and an
     * {@code INTERNAL} one) becomes a 500 whose detail is only a reference to the log entry. Used by the JAX-RS
     * mappers here and by the edges below JAX-RS ({@link DevicePayloadRoute}, {@link DeviceReportRoute}).
     */
    static Rendered render(Throwable e, String path) {
        if (e instanceof TrustfleetException t && t.kind() != ErrorKind.INTERNAL) {
            if (t.kind().status() >= 500) {
                // our own sentence (e.g. "the scan schedule could not be stored"); the cause stays in the log
                LOG.errorf(t, "%s on %s", t.kind(), path == null ? "?" : path);
            }
            return new Rendered(t.kind(), body(t.kind(), t.getMessage(), t.errors(), path), t.retryAfter());
        }
        if (DatabaseOutage.causedBy(e)) {
            // a passing state, not a defect: one line per request, no stack trace, and the client retries
            LOG.warnf("Database unavailable on %s: %s", path == null ? "?" : path, DatabaseOutage.summary(e));
            return new Rendered(ErrorKind.UNAVAILABLE, body(ErrorKind.UNAVAILABLE, DatabaseOutage.DETAIL, List.of(),
                    path), Optional.of(DatabaseOutage.RETRY_AFTER));
        }
        String reference = UUID.randomUUID().toString();
        LOG.errorf(e, "Internal error %s on %s", reference, path == null ? "?" : path);
        return new Rendered(ErrorKind.INTERNAL, body(ErrorKind.INTERNAL,
                "the server failed to handle this request; reference " + reference, List.of(), path),
                Optional.empty());
    }

    private static Response internal(Throwable e, UriInfo uri) {
        return response(render(e, path(uri)));
    }

    static Response problem(ErrorKind kind, String detail, List<String> errors, UriInfo uri) {
        return response(new Rendered(kind, body(kind, detail, errors, path(uri)), Optional.empty()));
    }

    private static Problem body(ErrorKind kind, String detail, List<String> errors, String path) {
        return new Problem(kind.type(), kind.title(), kind.status(), detail, path, errors);
    }

    private static Response response(Rendered rendered) {
        Response.ResponseBuilder response = Response.status(rendered.kind().status()).type(Problem.MEDIA_TYPE)
                .entity(rendered.body());
        rendered.headers().forEach(response::header);
        return response.build();
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getPath();
    }

    private static final Comparator<ConstraintViolation<?>> DECLARATION_ORDER = Comparator
            .comparingInt(ProblemMapper::parameterIndex).thenComparingInt(ProblemMapper::componentIndex)
            .thenComparing(v -> v.getPropertyPath().toString());

    /**
     * The field as the client wrote it: the JSON names of the path without list indexes ({@code failures.error}),
     * or the parameter's name when the constraint is on a parameter itself ({@code limit}).
     */
    static String fieldName(Path path) {
        List<String> properties = new ArrayList<>();
        String parameter = null;
        for (Path.Node node : path) {
            if (node.getKind() == ElementKind.PROPERTY) {
                properties.add(node.getName());
            } else if (node.getKind() == ElementKind.PARAMETER) {
                parameter = node.getName();
            }
        }
        return properties.isEmpty() ? String.valueOf(parameter) : String.join(".", properties);
    }

    private static int parameterIndex(ConstraintViolation<?> v) {
        for (Path.Node node : v.getPropertyPath()) {
            if (node.getKind() == ElementKind.PARAMETER) {
                return node.as(Path.ParameterNode.class).getParameterIndex();
            }
        }
        return 0;
    }

    /** Where the violation's top-level field is declared in its record, so that errors read in the body's order. */
    private static int componentIndex(ConstraintViolation<?> v) {
        Class<?> type = v.getRootBeanClass();
        for (Path.Node node : v.getPropertyPath()) {
            if (node.getKind() == ElementKind.PARAMETER) {
                Object[] arguments = v.getExecutableParameters();
                Object argument = arguments == null ? null : arguments[node.as(Path.ParameterNode.class)
                        .getParameterIndex()];
                type = argument == null ? Object.class : argument.getClass();
            } else if (node.getKind() == ElementKind.PROPERTY) {
                RecordComponent[] components = type.getRecordComponents();
                for (int i = 0; components != null && i < components.length; i++) {
                    if (components[i].getName().equals(node.getName())) {
                        return i;
                    }
                }
                return Integer.MAX_VALUE;
            }
        }
        return -1;
    }

    /**
     * Our own failure raised while the framework was doing something else: {@link BodySizeLimit} stops a chunked
     * body in the middle of a JSON value, and Jackson wraps what the stream threw ("field could not be read"). The
     * wrapped failure is the answer (413), not the wrapper.
     */
    private static Optional<TrustfleetException> ownCause(Throwable e) {
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof TrustfleetException ours) {
                return Optional.of(ours);
            }
        }
        return Optional.empty();
    }

    private static String fieldPath(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
    }
}
