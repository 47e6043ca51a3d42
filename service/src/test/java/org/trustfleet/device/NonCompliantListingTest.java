package org.trustfleet.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.DeviceFixtures.Device;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * The first non-compliant devices a compliance summary lists are the same whichever way they are read: walking the
 * tenant's devices in id order (many non-compliant) or one pass and a sort (few), as {@link DeviceService} chooses
 * from the aggregate's count.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class NonCompliantListingTest {
    @Inject
    DeviceService devices;

    @Test
    void bothWaysListTheFirstNonCompliantDevicesInIdOrder() {
        String[] t = ApiFixtures.tenantWithAdmin("non-compliant-listing");
        String group = DeviceFixtures.group(t[0], t[1], "listing", List.of());
        long version = as(t[1]).get("/api/v1/tenants/{t}/device-groups/{g}/requirements", t[0], group).then()
                .statusCode(200).extract().jsonPath().getLong("version");
        List<UUID> pending = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            Device device = DeviceFixtures.device(t[0], t[1], group);
            if (i % 5 == 0) { // compliant: it reports the group's version with nothing wrong
                as(device.token()).contentType(ContentType.JSON).body(Map.of("payloadVersion", version,
                                "installed", List.of(), "failures", List.of(), "apiLevel", 95))
                        .post("/api/v1/device/reports").then().statusCode(202);
            } else { // pending: never reported
                pending.add(UUID.fromString(device.id()));
            }
        }
        // PostgreSQL orders UUIDs by their bytes, as their lower-case text sorts (java.util.UUID compares signed)
        List<UUID> inIdOrder = pending.stream().sorted(Comparator.comparing(UUID::toString)).toList();
        UUID tenant = UUID.fromString(t[0]);

        record Case(int maxListed, boolean walk) {}
        for (Case c : List.of(new Case(1, true), new Case(2, false), new Case(7, false), new Case(12, false),
                new Case(100, false))) {
            assertThat(DeviceService.walkInIdOrder(pending.size(), c.maxListed())).as("walk for %s", c)
                    .isEqualTo(c.walk());
            ComplianceSummary summary = devices.complianceSummary(tenant, c.maxListed());
            assertThat(summary.counts()).as("counts for %s", c).containsEntry(ComplianceState.COMPLIANT, 3L)
                    .containsEntry(ComplianceState.PENDING, 12L);
            assertThat(summary.firstNonCompliant().stream().map(DeviceView::id).toList()).as("listed for %s", c)
                    .isEqualTo(inIdOrder.subList(0, Math.min(c.maxListed(), inIdOrder.size())));
            assertThat(summary.firstNonCompliant()).allMatch(d -> d.compliance().state() == ComplianceState.PENDING);
        }
    }
}
