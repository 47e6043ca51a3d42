package org.trustfleet.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.quarkus.arc.Unremovable;
import jakarta.inject.Singleton;
import java.util.Locale;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.httpcodec.InvalidRequestAnswer;

/**
 * The answer to requests the HTTP/1.1 codec itself could not decode, before any route saw them: a request line or
 * header section over the codec's 64 KiB limits (414, 431), a {@code Content-Length} that is not one number, a
 * header line that is not {@code name: value} (400). Like every other error, a problem document with a stable type
 * (docs/errors.md); the connection is closed afterwards, since the codec cannot find where the next request starts.
 * Nothing of the request is repeated: it is what could not be read.
 */
@Singleton
@Unremovable // asked for through the container by the extension, never injected
public class CodecFailures implements InvalidRequestAnswer {
    private final ObjectMapper json;

    public CodecFailures(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public void answer(HttpServerRequest request) {
        TrustfleetException problem = problemFor(request.decoderResult().cause());
        ProblemMapper.Rendered rendered = ProblemMapper.render(problem, null);
        byte[] body = rendered.bytes(json);
        HttpConnection connection = request.connection();
        HttpServerResponse response = request.response().setStatusCode(rendered.kind().status())
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close");
        response.end(Buffer.buffer(body)).onComplete(done -> connection.close());
    }

    /** The codec's failure in the product's words; the codec's own message may quote the request. */
    static TrustfleetException problemFor(Throwable cause) {
        String message = cause == null || cause.getMessage() == null ? "" : cause.getMessage();
        if (cause instanceof TooLongFrameException) {
            if (message.startsWith("An HTTP line is larger than")) {
                return new TrustfleetException(ErrorKind.URI_TOO_LONG,
                        "the request line is longer than the HTTP layer reads");
            }
            if (message.startsWith("HTTP header is larger than")) {
                return new TrustfleetException(ErrorKind.HEADERS_TOO_LARGE,
                        "the request headers are larger than the HTTP layer reads");
            }
        }
        if (message.toLowerCase(Locale.ROOT).contains("content-length")) {
            return new TrustfleetException(ErrorKind.MALFORMED_REQUEST,
                    "Content-Length must be given once, as one non-negative number");
        }
        return new TrustfleetException(ErrorKind.MALFORMED_REQUEST,
                "the request is not valid HTTP/1.1 (request line, header lines or message framing)");
    }
}
