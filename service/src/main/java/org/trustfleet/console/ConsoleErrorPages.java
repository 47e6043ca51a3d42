package org.trustfleet.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.core.Context;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;
import org.trustfleet.web.Problem;

/**
 * Console failures as pages a browser shows: the problem the API edge built ({@code web.ProblemMapper} decides the
 * status, type, title and detail once for both edges) rendered as HTML with the console's header, the same status
 * and, through {@link ConsoleHeaders}, the same security headers. A client that asks for JSON keeps the
 * {@code application/problem+json} document; an htmx request gets a fragment that replaces the page's main content.
 */
public class ConsoleErrorPages {
    /** Swapped into {@code #main} for htmx requests, whatever element the request meant to update. */
    static final String FRAGMENT_ID = "problem";

    private final ConsoleAccess access;

    public ConsoleErrorPages(ConsoleAccess access) {
        this.access = access;
    }

    @CheckedTemplate(basePath = "console", requireTypeSafeExpressions = false)
    static class Templates {
        static native TemplateInstance error(Problem problem, boolean signedIn, String csrf);

        static native TemplateInstance errorFragment(Problem problem, boolean signedIn);
    }

    @ServerResponseFilter
    public void render(ContainerRequestContext request, ContainerResponseContext response) {
        if (!ConsoleAccess.isConsole(request) || !(response.getEntity() instanceof Problem problem)
                || wantsJson(request)) {
            return;
        }
        String session = ConsoleAccess.cookie(request.getCookies().get(ConsoleAccess.SESSION_COOKIE));
        boolean signedIn = signedIn(request, session);
        String html;
        if (request.getHeaderString("HX-Request") != null) {
            html = Templates.errorFragment(problem, signedIn).render();
            // htmx swaps error responses too (the layout's responseHandling); put the message where it is seen
            response.getHeaders().putSingle("HX-Retarget", "#main");
            response.getHeaders().putSingle("HX-Reswap", "innerHTML");
            response.getHeaders().putSingle("HX-Reselect", "#" + FRAGMENT_ID);
        } else {
            html = Templates.error(problem, signedIn, signedIn ? ConsoleSessions.csrfToken(session) : null).render();
        }
        response.setEntity(html, null, MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"));
    }

    /**
     * Whether the request's session is live, so that the page offers the overview and sign-out rather than the
     * sign-in. Asked of the session table as the access check does; where that cannot be asked (a failure answered
     * on the I/O thread, or the database being the failure), the page offers the sign-in, which is always right.
     */
    private boolean signedIn(ContainerRequestContext request, String session) {
        if (session == null || session.isBlank() || Context.isOnEventLoopThread()) {
            return false;
        }
        try {
            return access.caller(request).isPresent();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether the client asked for JSON rather than a page: the first media type it names, in its order of
     * preference, is JSON or a problem document. Wildcards say nothing (a browser's navigation names text/html).
     */
    static boolean wantsJson(ContainerRequestContext request) {
        for (MediaType type : request.getAcceptableMediaTypes()) {
            if (type.isWildcardType() || type.isWildcardSubtype()) {
                continue;
            }
            String subtype = type.getSubtype();
            if (type.getType().equalsIgnoreCase("application")
                    && (subtype.equalsIgnoreCase("json") || subtype.equalsIgnoreCase("problem+json"))) {
                return true;
            }
            return false;
        }
        return false;
    }
}
