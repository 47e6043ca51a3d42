package org.trustfleet.httpcodec;

import io.vertx.core.http.HttpServerRequest;

/**
 * The application's answer to a request the HTTP codec could not decode (a malformed request line or header, a
 * {@code Content-Length} that is not one number, a line over the codec's limits). A CDI bean implementing it is
 * asked for every such request; without one, Vert.x's default (a bare status) applies.
 */
public interface InvalidRequestAnswer {
    /** Answers {@code request}, whose {@code decoderResult()} failed, and closes its connection. */
    void answer(HttpServerRequest request);
}
