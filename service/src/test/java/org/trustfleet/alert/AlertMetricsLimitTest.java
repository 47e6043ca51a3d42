package org.trustfleet.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trustfleet.device.ComplianceState;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * A fleet with more per-object series than {@code trustfleet.alerts.metrics-max-series} publishes none of them (a
 * partial set would read as objects that vanished) and says how many it left out; what is not per object (alert
 * deliveries per tenant) is still published.
 */
@QuarkusTest
@TestProfile(AlertMetricsLimitTest.FewSeries.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class AlertMetricsLimitTest {

    /** Fewer series allowed than one device group makes. */
    public static class FewSeries implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("trustfleet.alerts.metrics-max-series", "3");
        }
    }

    @Inject
    AlertMetrics metrics;
    @Inject
    EntityManager em;

    @Test
    void aSnapshotOverTheLimitPublishesNoPerObjectSeries() {
        String[] t = ApiFixtures.tenantWithAdmin("metrics-limit");
        DeviceFixtures.group(t[0], t[1], "limited", List.of()); // info + one series per compliance state: over 3

        metrics.refresh();
        String scraped = RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();

        assertThat(scraped.lines().filter(l -> l.startsWith("trustfleet_group_info{")
                || l.startsWith("trustfleet_group_devices{") || l.startsWith("trustfleet_endpoint_info{"))).isEmpty();
        double omitted = scraped.lines().filter(l -> l.startsWith("trustfleet_metrics_series_omitted "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("trustfleet_metrics_series_omitted is not published"));
        // the endpoints and groups alone exceed the limit, so the snapshot counted them without listing them: one
        // series per endpoint, and per group its info and one per compliance state
        Object[] counts = (Object[]) em.createNativeQuery(
                "SELECT (SELECT count(*) FROM endpoint), (SELECT count(*) FROM device_group)").getSingleResult();
        long groups = ((Number) counts[1]).longValue();
        assertThat(groups).isPositive();
        assertThat(omitted).isEqualTo(((Number) counts[0]).longValue() + groups * (1 + ComplianceState.values().length));
    }
}
