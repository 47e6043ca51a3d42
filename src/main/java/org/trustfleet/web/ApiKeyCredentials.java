package org.trustfleet.web;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.trustfleet.device.DeviceAuthService;
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
        if (token.startsWith(DeviceAuthService.TOKEN_PREFIX + "_")) {
            return Optional.empty(); // device tokens are DeviceCredentials' (and spare the hot path a lookup)
        }
        return keys.authenticate(token);
    }
}
