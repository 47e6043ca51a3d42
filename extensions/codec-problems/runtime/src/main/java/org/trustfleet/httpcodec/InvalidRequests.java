package org.trustfleet.httpcodec;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;
import io.quarkus.arc.InstanceHandle;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * Where Quarkus's HTTP servers are created, once the deployment half of this extension has rewritten Quarkus's
 * {@code vertx.createHttpServer(options)} calls to this method: the same server, with an invalid-request handler
 * that asks the application ({@link InvalidRequestAnswer}) instead of answering with an empty body.
 */
public final class InvalidRequests {
    private InvalidRequests() {
    }

    /** Replaces {@code vertx.createHttpServer(options)} in Quarkus's HTTP recorder (same receiver, same result). */
    public static HttpServer createHttpServer(Vertx vertx, HttpServerOptions options) {
        return vertx.createHttpServer(options).invalidRequestHandler(InvalidRequests::answer);
    }

    static void answer(HttpServerRequest request) {
        ArcContainer container = Arc.container();
        if (container != null && container.isRunning()) {
            InstanceHandle<InvalidRequestAnswer> answer = container.instance(InvalidRequestAnswer.class);
            if (answer.isAvailable()) {
                answer.get().answer(request);
                return;
            }
        }
        HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(request);
    }
}
