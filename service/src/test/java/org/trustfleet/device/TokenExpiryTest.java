package org.trustfleet.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.DeviceFixtures.Device;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.testing.ShiftedClock;
import org.trustfleet.testing.ShiftedClockProfile;

/**
 * A cached device token is kept for {@code trustfleet.device.auth-cache-ttl} after it was looked up, by the expiry
 * the cache entry carries itself: once that time has passed the cache no longer answers for the token, and the
 * device's next request looks it up again and caches it anew.
 */
@QuarkusTest
@TestProfile(ShiftedClockProfile.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class TokenExpiryTest {
    @Inject
    DeviceAuthService auth;
    @Inject
    TrustfleetConfig config;

    @Test
    void aCachedTokenIsDroppedAfterItsTimeToLiveAndLookedUpAgain() {
        String[] t = ApiFixtures.tenantWithAdmin("token-expiry");
        String tenant = t[0];
        String admin = t[1];
        String group = DeviceFixtures.group(tenant, admin, "expiry", List.of());
        Device device = DeviceFixtures.device(tenant, admin, group);
        DeviceIdentity identity = new DeviceIdentity(UUID.fromString(device.id()), UUID.fromString(tenant),
                UUID.fromString(group));

        as(device.token()).get("/api/v1/device/payload").then().statusCode(200);
        assertThat(auth.cachedIdentity(device.token())).as("looked up and cached").contains(identity);

        ShiftedClock clock = ShiftedClock.INSTANCE;
        Duration ttl = config.device().authCacheTtl();
        // a minute short of the time to live: far more than the test takes between these lines
        clock.advance(ttl.minusMinutes(1));
        assertThat(auth.cachedIdentity(device.token())).as("a minute before it expires").contains(identity);
        clock.advance(Duration.ofMinutes(1));
        assertThat(auth.cachedIdentity(device.token())).as("its time to live has passed").isEmpty();

        as(device.token()).get("/api/v1/device/payload").then().statusCode(200);
        assertThat(auth.cachedIdentity(device.token())).as("looked up and cached again").contains(identity);
        clock.advance(ttl.minusMinutes(1));
        assertThat(auth.cachedIdentity(device.token())).as("kept from its new lookup on").contains(identity);
    }
}
