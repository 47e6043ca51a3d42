package org.trustfleet.web;

import jakarta.inject.Singleton;
import jakarta.enterprise.inject.Instance;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.TrustfleetException;
import org.trustfleet.tenant.Caller;
import org.trustfleet.tenant.Role;

/**
 * The one place where a bearer token becomes a caller and a caller's role is checked. Both HTTP edges use it: the
 * JAX-RS {@link AccessFilter} (every resource method) and the Vert.x routes {@link DevicePayloadRoute} and
 * {@link DeviceReportRoute} (the device payload and reports, served below JAX-RS because they are the hot paths).
 * Failures are {@link TrustfleetException}s; each edge renders them as problem documents through
 * {@link ProblemMapper}.
 */
// @Singleton rather than @ApplicationScoped: no client proxy between the beans of the device payload hot path
@Singleton
public class Authenticator {
    private static final String BEARER = "Bearer ";
    private static final int MAX_TOKEN_LENGTH = 200;

    private final List<CredentialResolver> resolvers;

    public Authenticator(Instance<CredentialResolver> resolvers) {
        this.resolvers = resolvers.stream().toList();
    }

    /** The token of an {@code Authorization: Bearer} header (may be null), or a 401 failure. */
    public String bearerToken(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw new TrustfleetException(ErrorKind.UNAUTHENTICATED, "a bearer token is required");
        }
        if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw new TrustfleetException(ErrorKind.UNAUTHENTICATED, "the Authorization scheme must be Bearer");
        }
        String token = authorization.substring(BEARER.length()).strip();
        if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            throw new TrustfleetException(ErrorKind.UNAUTHENTICATED, "the bearer token is not valid");
        }
        return token;
    }

    /** The caller a token stands for, asking each resolver in turn; may block (database), so never on the event loop. */
    public Caller authenticate(String token) {
        for (CredentialResolver resolver : resolvers) {
            Optional<Caller> caller = resolver.resolve(token);
            if (caller.isPresent()) {
                return caller.get();
            }
        }
        throw unknownToken();
    }

    /** Refuses (403) a caller whose role is not among {@code allowed}. */
    public static void requireRole(Caller caller, Role... allowed) {
        if (Arrays.stream(allowed).noneMatch(role -> role == caller.role())) {
            throw new TrustfleetException(ErrorKind.FORBIDDEN,
                    "the " + caller.role().wireName() + " role may not do this");
        }
    }

    private static TrustfleetException unknownToken() {
        return new TrustfleetException(ErrorKind.UNAUTHENTICATED, "the bearer token is unknown or revoked");
    }
}
