package org.trustfleet.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.UUID;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.trustfleet.console.ConsoleAccess;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.Require;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.tenant.Caller;
import org.trustfleet.tenant.Role;
import org.trustfleet.tenant.TenantService;

/**
 * Where every JAX-RS request is authenticated (through {@link Authenticator}), its role checked against the
 * method's {@link Allow}, and every {@code /tenants/{tenantId}/...} path checked against the caller's tenant.
 *
 * <p>A caller of another tenant gets 404, exactly as for a tenant that does not exist, so that tenant ids leak
 * nothing.
 */
public class AccessFilter {
    static final String TENANT_PARAM = "tenantId";

    private final Authenticator authenticator;
    private final TenantService tenants;
    private final CallerContext callerContext;
    private final TrustfleetConfig config;
    private final ConsoleAccess console;

    public AccessFilter(Authenticator authenticator, TenantService tenants, CallerContext callerContext,
            TrustfleetConfig config, ConsoleAccess console) {
        this.authenticator = authenticator;
        this.tenants = tenants;
        this.callerContext = callerContext;
        this.config = config;
        this.console = console;
    }

    /** Refuses oversized bodies before anything else looks at them. */
    @ServerRequestFilter(preMatching = true)
    public void limitBody(ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            long bytes;
            try {
                bytes = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                throw new TrustfleetException(ErrorKind.MALFORMED_REQUEST, "Content-Length is not a number");
            }
            if (bytes > config.api().maxBodyBytes()) {
                throw new TrustfleetException(ErrorKind.PAYLOAD_TOO_LARGE,
                        "request body of " + bytes + " bytes exceeds the limit of " + config.api().maxBodyBytes());
            }
        }
    }

    /**
     * Authenticates the request, checks the role and the tenant. Every JAX-RS endpoint is blocking and this runs
     * on its worker thread; the device payload and the reports devices send are served below JAX-RS by
     * {@link DevicePayloadRoute} and {@link DeviceReportRoute} with the same {@link Authenticator}.
     *
     * @return null to go on, or the console's redirect to its sign-in page
     */
    @ServerRequestFilter
    public Response authorize(ContainerRequestContext request, ResourceInfo resource) {
        Method method = resource.getResourceMethod();
        if (method == null || isPublic(resource)) {
            return null;
        }
        Caller caller;
        if (isConsolePage(resource)) {
            // the console's pages authenticate by session cookie (never a bearer token in the browser); the role and
            // tenant checks below are the API's. Decided by the resource that matched, not by the path's spelling, so
            // no API operation is ever reached with a cookie.
            Optional<Caller> session = console.caller(request);
            if (session.isEmpty()) {
                return ConsoleAccess.toSignIn(request);
            }
            caller = session.get();
        } else {
            caller = authenticator.authenticate(authenticator.bearerToken(
                    request.getHeaderString(HttpHeaders.AUTHORIZATION)));
        }
        Allow allow = Optional.ofNullable(method.getAnnotation(Allow.class))
                .orElse(resource.getResourceClass().getAnnotation(Allow.class));
        Authenticator.requireRole(caller, allow == null ? new Role[0] : allow.value());
        String tenantParam = request.getUriInfo().getPathParameters().getFirst(TENANT_PARAM);
        if (tenantParam != null) {
            UUID tenant = Require.id(tenantParam, "tenant");
            // only API keys pass the role checks of tenant paths, and an admin or console key was just found in the
            // database with this tenant (deleted with it, ON DELETE CASCADE): only an operator, who may name any
            // tenant, needs the tenant looked up
            boolean ownTenant = caller.tenantId().filter(tenant::equals).isPresent();
            if (!caller.canAccessTenant(tenant) || !ownTenant && !tenants.exists(tenant)) {
                throw TrustfleetException.notFound("tenant");
            }
        }
        callerContext.set(caller);
        return null; // go on to the resource
    }

    private static boolean isConsolePage(ResourceInfo resource) {
        return resource.getResourceClass().getPackageName().equals(ConsoleAccess.class.getPackageName());
    }

    private static boolean isPublic(ResourceInfo resource) {
        return resource.getResourceMethod().isAnnotationPresent(PublicEndpoint.class)
                || resource.getResourceClass().isAnnotationPresent(PublicEndpoint.class);
    }
}
