package org.trustfleet.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** An RFC 9457 problem document, the body of every error response. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String instance, List<String> errors) {
    public static final String MEDIA_TYPE = "application/problem+json";
    /** The {@code WWW-Authenticate} challenge sent with every 401. */
    static final String BEARER_CHALLENGE = "Bearer realm=\"trustfleet\"";
}
