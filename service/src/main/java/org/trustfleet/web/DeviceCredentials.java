package org.trustfleet.web;

import jakarta.inject.Singleton;
import java.util.Optional;
import org.trustfleet.device.DeviceAuthService;
import org.trustfleet.device.DeviceIdentity;
import org.trustfleet.tenant.Caller;
import org.trustfleet.tenant.Role;

/** Device tokens ({@code tfd_…}) as bearer credentials: the caller is the device, in its tenant. */
// @Singleton rather than @ApplicationScoped: no client proxy between the beans of the device payload hot path
@Singleton
public class DeviceCredentials implements CredentialResolver {
    private final DeviceAuthService devices;

    public DeviceCredentials(DeviceAuthService devices) {
        this.devices = devices;
    }

    @Override
    public Optional<Caller> resolve(String token) {
        return devices.authenticate(token).map(DeviceCredentials::caller);
    }

    private static Caller caller(DeviceIdentity d) {
        return new Caller(Role.DEVICE, Optional.of(d.tenantId()), d.deviceId());
    }
}
