package org.trustfleet.console;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Optional;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.tenant.Caller;

/**
 * The console's side of the one access check: which requests are console requests, the caller their session cookie
 * stands for, and the cookies themselves ({@code HttpOnly}, {@code SameSite=Strict}, {@code Secure} over TLS or
 * when configured). {@code web.AccessFilter} asks it for the caller and then applies the same role and tenant checks
 * as to the API.
 */
@ApplicationScoped
public class ConsoleAccess {
    /** The session cookie; its value is a random {@code tfs_} token, stored server-side only as a hash. */
    public static final String SESSION_COOKIE = "tf_session";
    /** The sign-in form's double-submit cookie (no session exists yet to bind its CSRF token to). */
    public static final String SIGN_IN_COOKIE = "tf_sign_in";
    static final String PATH = "/console";
    static final String SIGN_IN = "/console/sign-in";

    private final ConsoleSessions sessions;
    private final boolean alwaysSecure;

    public ConsoleAccess(ConsoleSessions sessions, TrustfleetConfig config) {
        this.sessions = sessions;
        this.alwaysSecure = config.console().secureCookies();
    }

    /** Whether the request is for a console page (cookie sessions) rather than the API (bearer tokens). */
    public static boolean isConsole(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        return path.equals(PATH) || path.startsWith(PATH + "/");
    }

    /** The caller of the request's session cookie, if it names a live session. */
    public Optional<Caller> caller(ContainerRequestContext request) {
        return sessions.resolve(cookie(request.getCookies().get(SESSION_COOKIE)));
    }

    /** Where a request without a live session goes: the sign-in page (htmx requests are told to go there). */
    public static Response toSignIn(ContainerRequestContext request) {
        if (request.getHeaderString("HX-Request") != null) {
            return Response.noContent().header("HX-Redirect", SIGN_IN).build();
        }
        return Response.seeOther(URI.create(SIGN_IN)).build();
    }

    static String cookie(Cookie cookie) {
        return cookie == null ? null : cookie.getValue();
    }

    static String cookie(HttpHeaders headers, String name) {
        return cookie(headers.getCookies().get(name));
    }

    boolean secure(boolean overTls) {
        return alwaysSecure || overTls;
    }

    NewCookie cookie(String name, String value, boolean overTls) {
        return new NewCookie.Builder(name).value(value).path(PATH).httpOnly(true).secure(secure(overTls))
                .sameSite(NewCookie.SameSite.STRICT).build();
    }

    NewCookie expired(String name, boolean overTls) {
        return new NewCookie.Builder(name).value("").path(PATH).httpOnly(true).secure(secure(overTls))
                .sameSite(NewCookie.SameSite.STRICT).maxAge(0).build();
    }
}
