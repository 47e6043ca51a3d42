package org.trustfleet.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.List;
import org.jboss.resteasy.reactive.RestForm;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.tenant.BearerTokens;
import org.trustfleet.tenant.Caller;
import org.trustfleet.tenant.Role;
import org.trustfleet.tenant.TenantService;
import org.trustfleet.web.Allow;
import org.trustfleet.web.CallerContext;
import org.trustfleet.web.PublicEndpoint;

/**
 * The console's entry: sign-in, sign-out and the landing page (a tenant key lands on its tenant's overview, the
 * operator picks a tenant). The token typed into the sign-in form is exchanged for a session cookie at once and is
 * never put in a URL, a cookie or the page.
 */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
public class ConsoleResource {
    private final ConsoleSessions sessions;
    private final ConsoleAccess access;
    private final CallerContext callers;
    private final TenantService tenants;

    public ConsoleResource(ConsoleSessions sessions, ConsoleAccess access, CallerContext callers,
            TenantService tenants) {
        this.sessions = sessions;
        this.access = access;
        this.callers = callers;
        this.tenants = tenants;
    }

    @CheckedTemplate(basePath = "console", requireTypeSafeExpressions = false)
    static class Templates {
        static native TemplateInstance signIn(String csrf, String message);

        static native TemplateInstance tenants(List<Views.TenantRow> tenants, String csrf);
    }

    @GET
    @Allow({Role.OPERATOR, Role.ADMIN, Role.CONSOLE})
    public Response home(@CookieParam(ConsoleAccess.SESSION_COOKIE) String session) {
        Caller caller = callers.caller();
        if (caller.tenantId().isPresent()) {
            return Response.seeOther(URI.create("/console/tenants/" + caller.tenantId().get())).build();
        }
        List<Views.TenantRow> rows = tenants.list().stream().map(t -> new Views.TenantRow(t.id(), t.name())).toList();
        return Response.ok(Templates.tenants(rows, ConsoleSessions.csrfToken(session))).build();
    }

    @GET
    @Path("/sign-in")
    @PublicEndpoint
    public Response signInPage(@Context UriInfo uri) {
        return signInForm(Response.Status.OK, null, uri);
    }

    @POST
    @Path("/sign-in")
    @PublicEndpoint
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signIn(@RestForm String token, @RestForm String csrf,
            @CookieParam(ConsoleAccess.SIGN_IN_COOKIE) String formCookie, @Context UriInfo uri,
            @Context HttpServerRequest request) {
        // the sign-in form's double-submit check: a page of another site cannot read or set this cookie
        if (formCookie == null || csrf == null || !formCookie.equals(csrf)) {
            throw new TrustfleetException(ErrorKind.FORBIDDEN,
                    "the sign-in form's CSRF token is missing or wrong; reload the sign-in page");
        }
        SocketAddress peer = request.remoteAddress();
        String address = peer == null ? "unknown" : peer.hostAddress();
        ConsoleSessions.SignedIn signedIn;
        try {
            signedIn = sessions.signIn(token, address);
        } catch (TrustfleetException e) {
            if (e.kind() == ErrorKind.RATE_LIMITED) {
                Response r = signInForm(Response.Status.TOO_MANY_REQUESTS,
                        "Too many failed sign-ins from this address. Wait a minute and try again.", uri);
                long seconds = Math.max(1, e.retryAfter().map(d -> (d.toMillis() + 999) / 1000).orElse(60L));
                return Response.fromResponse(r).header("Retry-After", seconds).build();
            }
            if (e.kind() == ErrorKind.UNAUTHENTICATED) {
                return signInForm(Response.Status.UNAUTHORIZED, "That token is unknown or revoked.", uri);
            }
            throw e;
        }
        boolean tls = overTls(uri);
        return Response.seeOther(URI.create("/console"))
                .cookie(access.cookie(ConsoleAccess.SESSION_COOKIE, signedIn.cookieValue(), tls),
                        access.expired(ConsoleAccess.SIGN_IN_COOKIE, tls))
                .build();
    }

    @POST
    @Path("/sign-out")
    @Allow({Role.OPERATOR, Role.ADMIN, Role.CONSOLE})
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signOut(@RestForm String csrf, @CookieParam(ConsoleAccess.SESSION_COOKIE) String session,
            @Context UriInfo uri) {
        ConsoleSessions.requireCsrf(session, csrf);
        sessions.signOut(session);
        return Response.seeOther(URI.create(ConsoleAccess.SIGN_IN))
                .cookie(access.expired(ConsoleAccess.SESSION_COOKIE, overTls(uri))).build();
    }

    private Response signInForm(Response.Status status, String message, UriInfo uri) {
        String formToken = BearerTokens.generate("tfc");
        return Response.status(status).entity(Templates.signIn(formToken, message))
                .type(MediaType.TEXT_HTML_TYPE)
                .cookie(access.cookie(ConsoleAccess.SIGN_IN_COOKIE, formToken, overTls(uri))).build();
    }

    static boolean overTls(UriInfo uri) {
        return "https".equalsIgnoreCase(uri.getRequestUri().getScheme());
    }
}
