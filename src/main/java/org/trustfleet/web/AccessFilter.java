package org.trustfleet.web;

import io.quarkus.arc.ClientProxy;
import io.quarkus.runtime.BlockingOperationControl;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.Require;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.tenant.Caller;
import org.trustfleet.tenant.TenantService;

/**
 * The one place where every API request is authenticated, its role checked, and every
 * {@code /tenants/{tenantId}/...} path checked against the caller's tenant.
 *
 * <p>A caller of another tenant gets 404, exactly as for a tenant that does not exist, so that tenant ids leak
 * nothing.
 */
public class AccessFilter {
    static final String TENANT_PARAM = "tenantId";
    private static final String BEARER = "Bearer ";

    private final Instance<CredentialResolver> resolvers;
    private final TenantService tenants;
    private final CallerContext callerContext;
    private final TrustfleetConfig config;

    public AccessFilter(Instance<CredentialResolver> resolvers, TenantService tenants, CallerContext callerContext,
            TrustfleetConfig config) {
        this.resolvers = resolvers;
        this.tenants = tenants;
        this.callerContext = callerContext;
        this.config = config;
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
     * Authenticates the request, checks the role and the tenant. On a worker thread (blocking endpoints: every
     * endpoint but the device payload) it runs synchronously, as it always did. On the event loop (a
     * {@code @NonBlocking} endpoint) it completes there only when every resolver can answer from memory (a cached
     * device token); anything that needs the database (an uncached device token, an API key, a tenant check) runs on
     * a worker thread and the request resumes on the event loop afterwards. Either way this is the one place that
     * authenticates.
     */
    @ServerRequestFilter
    public Uni<Void> authorize(ContainerRequestContext request, ResourceInfo resource) {
        Method method = resource.getResourceMethod();
        if (method == null || isPublic(resource)) {
            return null;
        }
        String token = bearerToken(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (BlockingOperationControl.isBlockingAllowed()) {
            check(request, resource, authenticate(token), callerContext);
            return null;
        }
        if (request.getUriInfo().getPathParameters().getFirst(TENANT_PARAM) == null) {
            Caller cached = authenticateWithoutBlocking(token);
            if (cached != null) {
                check(request, resource, cached, callerContext);
                return null;
            }
        }
        // the request-scoped bean itself: the worker thread below has no request context of its own
        CallerContext target = ClientProxy.unwrap(callerContext);
        return Uni.createFrom().<Void>item(() -> {
            check(request, resource, authenticate(token), target);
            return null;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private void check(ContainerRequestContext request, ResourceInfo resource, Caller caller, CallerContext target) {
        Method method = resource.getResourceMethod();
        Allow allow = Optional.ofNullable(method.getAnnotation(Allow.class))
                .orElse(resource.getResourceClass().getAnnotation(Allow.class));
        if (allow == null || Arrays.stream(allow.value()).noneMatch(role -> role == caller.role())) {
            throw new TrustfleetException(ErrorKind.FORBIDDEN,
                    "the " + caller.role().wireName() + " role may not do this");
        }
        String tenantParam = request.getUriInfo().getPathParameters().getFirst(TENANT_PARAM);
        if (tenantParam != null) {
            UUID tenant = Require.id(tenantParam, "tenant");
            if (!caller.canAccessTenant(tenant) || !tenants.exists(tenant)) {
                throw TrustfleetException.notFound("tenant");
            }
        }
        target.set(caller);
    }

    private static boolean isPublic(ResourceInfo resource) {
        return resource.getResourceMethod().isAnnotationPresent(PublicEndpoint.class)
                || resource.getResourceClass().isAnnotationPresent(PublicEndpoint.class);
    }

    private static String bearerToken(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw new TrustfleetException(ErrorKind.UNAUTHENTICATED, "a bearer token is required");
        }
        if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw new TrustfleetException(ErrorKind.UNAUTHENTICATED, "the Authorization scheme must be Bearer");
        }
        String token = authorization.substring(BEARER.length()).strip();
        if (token.isEmpty() || token.length() > 200) {
            throw new TrustfleetException(ErrorKind.UNAUTHENTICATED, "the bearer token is not valid");
        }
        return token;
    }

    /** Asks each resolver in turn; may block. */
    private Caller authenticate(String token) {
        for (CredentialResolver resolver : resolvers) {
            Optional<Caller> caller = resolver.resolve(token);
            if (caller.isPresent()) {
                return caller.get();
            }
        }
        throw unknownToken();
    }

    /**
     * The same question from memory only, in the same order: the caller, or {@code null} when some resolver cannot
     * tell without blocking. Throws, as {@link #authenticate} would, when no resolver claims the token.
     */
    private Caller authenticateWithoutBlocking(String token) {
        for (CredentialResolver resolver : resolvers) {
            CredentialResolver.Answer answer = resolver.resolveWithoutBlocking(token);
            if (answer.needsBlocking()) {
                return null;
            }
            if (answer.caller() != null) {
                return answer.caller();
            }
        }
        throw unknownToken();
    }

    private static TrustfleetException unknownToken() {
        return new TrustfleetException(ErrorKind.UNAUTHENTICATED, "the bearer token is unknown or revoked");
    }
}
