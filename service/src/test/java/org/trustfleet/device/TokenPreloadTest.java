package org.trustfleet.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.invalidRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.DeviceFixtures.Device;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * The device-token cache filled in bulk ({@link DeviceAuthService#preload}, run at start): every live device's
 * credentials and no revoked device's, and never a device revoked while the preload read it.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class TokenPreloadTest {
    @Inject
    DeviceAuthService auth;

    @BeforeEach
    void startupPreloadDone() throws Exception {
        // the one run at start, after the feed's first poll, could otherwise cache this test's devices first
        auth.startupPreload().get(1, TimeUnit.MINUTES);
    }

    @Test
    void preloadCachesEveryLiveDeviceAndNoRevokedOne() {
        String[] t = ApiFixtures.tenantWithAdmin("token-preload");
        String tenant = t[0];
        String admin = t[1];
        List<Device> fleet = DeviceFixtures.fleet(tenant, admin, "preload", 5);
        UUID group = UUID.fromString(fleet.get(0).groupId());
        revoke(admin, fleet.get(0));
        // enrolled, never asked: not cached yet
        fleet.forEach(d -> assertThat(auth.cachedIdentity(d.token())).isEmpty());

        long loaded = auth.preload();

        assertThat(loaded).isGreaterThanOrEqualTo(4);
        assertThat(auth.cachedIdentity(fleet.get(0).token())).isEmpty();
        for (Device d : fleet.subList(1, 5)) {
            assertThat(auth.cachedIdentity(d.token())).contains(new DeviceIdentity(UUID.fromString(d.id()),
                    UUID.fromString(tenant), group));
        }
        invalidRequest().auth().oauth2(fleet.get(0).token()).get("/api/v1/device/payload").then().statusCode(401);

        // a preloaded entry goes as any other: revoked now, refused at once
        revoke(admin, fleet.get(1));
        invalidRequest().auth().oauth2(fleet.get(1).token()).get("/api/v1/device/payload").then().statusCode(401);
        assertThat(auth.cachedIdentity(fleet.get(1).token())).isEmpty();
        as(fleet.get(2).token()).get("/api/v1/device/payload").then().statusCode(200);
        // a second preload puts nothing back that it should not, and replaces nothing
        auth.preload();
        assertThat(auth.cachedIdentity(fleet.get(1).token())).isEmpty();
        assertThat(auth.cachedIdentity(fleet.get(3).token())).isPresent();
    }

    @Test
    void devicesRevokedWhilePreloadsRunAreNeverLeftCached() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("token-preload-race");
        String tenant = t[0];
        String admin = t[1];
        List<Device> fleet = DeviceFixtures.fleet(tenant, admin, "preload-race", 24);
        AtomicBoolean revoking = new AtomicBoolean(true);
        AtomicInteger preloads = new AtomicInteger();
        // preloads back to back, each reading the devices while some of them are being revoked
        CompletableFuture<Void> preloading = CompletableFuture.runAsync(() -> {
            while (revoking.get() || preloads.get() == 0) {
                auth.preload();
                preloads.incrementAndGet();
            }
        });
        try {
            for (Device d : fleet) {
                revoke(admin, d);
            }
        } finally {
            revoking.set(false);
        }
        preloading.get();

        assertThat(preloads.get()).isPositive();
        for (Device d : fleet) {
            assertThat(auth.cachedIdentity(d.token())).as("device %s, revoked", d.id()).isEmpty();
            invalidRequest().auth().oauth2(d.token()).get("/api/v1/device/payload").then().statusCode(401);
        }
    }

    private static void revoke(String admin, Device d) {
        as(admin).delete("/api/v1/tenants/{t}/devices/{d}", d.tenantId(), d.id()).then().statusCode(204);
    }
}
