package org.trustfleet.web;

import jakarta.inject.Singleton;
import java.util.Optional;
import org.trustfleet.device.DeviceAuthService;
import org.trustfleet.tenant.ApiKeyService;
import org.trustfleet.tenant.Caller;

/** API keys as bearer credentials. */
// @Singleton rather than @ApplicationScoped: no client proxy between the beans of the device payload hot path
@Singleton
public class ApiKeyCredentials implements CredentialResolver {
    private final ApiKeyService keys;

    public ApiKeyCredentials(ApiKeyService keys) {
        this.keys = keys;
    }

    @Override
    public Optional<Caller> resolve(String token) {
        if (DeviceAuthService.isDeviceToken(token)) {
            return Optional.empty(); // device tokens are DeviceCredentials' (and spare the hot path a lookup)
        }
        return keys.authenticate(token);
    }
}
