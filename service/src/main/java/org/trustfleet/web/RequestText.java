package org.trustfleet.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.trustfleet.core.ControlCharacters;
import org.trustfleet.core.TrustfleetException;

/**
 * Path and query parameters (ids, SHA-256 fingerprints, {@code limit}, {@code format}) arrive percent-decoded, so
 * {@code /anchors/%00} hands a NUL byte to whatever reads the parameter. The request is refused here, before
 * matching, with the same rule ({@link ControlCharacters}) that {@link org.trustfleet.core.PlainText} applies to
 * body fields; no parameter of the API may hold a control character.
 */
public class RequestText {
    @ServerRequestFilter(preMatching = true)
    public void refuseControlCharacters(ContainerRequestContext request) {
        UriInfo uri = request.getUriInfo();
        if (ControlCharacters.find(uri.getPath(), false) >= 0) {
            throw TrustfleetException.validation("the path must not contain control characters");
        }
        for (Map.Entry<String, List<String>> parameter : uri.getQueryParameters(true).entrySet()) {
            boolean bad = ControlCharacters.find(parameter.getKey(), false) >= 0
                    || parameter.getValue().stream().anyMatch(v -> ControlCharacters.find(v, false) >= 0);
            if (bad) {
                throw TrustfleetException.validation("query parameters must not contain control characters");
            }
        }
    }
}
