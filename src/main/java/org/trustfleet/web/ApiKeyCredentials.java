package org.trustfleet.web;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.trustfleet.tenant.ApiKeyService;
import org.trustfleet.tenant.Caller;

/** API keys as bearer credentials. */
@ApplicationScoped
public class ApiKeyCredentials implements CredentialResolver {
    private final ApiKeyService keys;

    public ApiKeyCredentials(ApiKeyService keys) {
        this.keys = keys;
    }

    @Override
    public Optional<Caller> resolve(String token) {
        return keys.authenticate(token);
    }
}
