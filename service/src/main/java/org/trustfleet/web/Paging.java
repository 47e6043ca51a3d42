package org.trustfleet.web;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The one shape of a cursor-paged answer: the page as the body and, when the page is full, a
 * {@code Link: <path?after=<cursor>&limit=n>; rel="next"} header, so every growing list pages the same way.
 */
final class Paging {
    private Paging() {}

    /** {@code cursor} is the position of the page's last item (null for an empty page). */
    static Response page(List<?> page, int limit, UriInfo uri, String cursor) {
        Response.ResponseBuilder response = Response.ok(page);
        if (page.size() == limit && cursor != null) {
            String next = uri.getRequestUri().getRawPath() + "?after="
                    + URLEncoder.encode(cursor, StandardCharsets.UTF_8) + "&limit=" + limit;
            response.header("Link", "<" + next + ">; rel=\"next\"");
        }
        return response.build();
    }
}
