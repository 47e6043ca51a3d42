package org.trustfleet.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trustfleet.tenant.TenantService;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * A pass of the alert checks that is under way when the application stops ends at the next tenant, instead of going
 * on into a persistence unit that is closing. Its own application (profile): the stop is for good.
 */
@QuarkusTest
@TestProfile(AlertWatcherShutdownTest.StoppedWatcher.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class AlertWatcherShutdownTest {

    /** No scheduled pass while the test calls the checks itself. */
    public static class StoppedWatcher implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("trustfleet.alerts.check-interval", "24h");
        }
    }

    @Inject
    AlertWatcher watcher;
    @Inject
    TenantService tenants;

    @Test
    void aPassAfterTheShutdownEventChecksNoFurtherTenant() {
        ApiFixtures.tenantWithAdmin("watcher-stop-a");
        ApiFixtures.tenantWithAdmin("watcher-stop-b");
        int all = tenants.list().size();
        assertThat(all).isGreaterThanOrEqualTo(2);
        assertThat(watcher.checkNow()).isEqualTo(all);

        watcher.stop(new ShutdownEvent());

        assertThat(watcher.checkNow()).isZero();
    }
}
