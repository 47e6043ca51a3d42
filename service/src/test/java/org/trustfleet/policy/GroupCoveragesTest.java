package org.trustfleet.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.Certificates;
import org.trustfleet.pki.Sha256;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.truststore.TrustStoreService;

/**
 * The store change sweep reads its batch's groups in one native statement ({@link DeviceGroupService#coverages}):
 * what it reads is what the group's own row says ({@link DeviceGroupService#coverage}), for every kind of group.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class GroupCoveragesTest {
    @Inject
    DeviceGroupService groups;
    @Inject
    TrustStoreService stores;

    @Test
    void theSweepsBatchReadReadsEachGroupAsItsOwnRowDoes() {
        String[] t = ApiFixtures.tenantWithAdmin("coverages");
        String tenant = t[0];
        String admin = t[1];
        String first = endpoint(admin, tenant, "first");
        String second = endpoint(admin, tenant, "second");
        String third = endpoint(admin, tenant, "third");
        X509Certificate platformCa = stores.snapshot().allStoreCertificates().stream()
                .filter(Certificates::isCaCertificate).findFirst().orElseThrow();

        List<UUID> ids = List.of(
                group(admin, tenant, Map.of("name", "every endpoint", "minApiLevel", 24, "maxApiLevel", 35)),
                group(admin, tenant, Map.of("name", "two endpoints, an include", "minApiLevel", 28,
                        "maxApiLevel", 30, "managementMode", "WORK_PROFILE", "endpointIds", List.of(first, third),
                        "include", List.of(Sha256.of(platformCa)))),
                group(admin, tenant, Map.of("name", "an endpoint deleted", "minApiLevel", 21, "maxApiLevel", 21,
                        "endpointIds", List.of(second))));
        as(admin).delete("/api/v1/tenants/{t}/endpoints/{e}", tenant, second).then().statusCode(204);
        UUID absent = UUID.randomUUID();

        Map<UUID, DeviceGroupService.Coverage> oneByOne = new HashMap<>();
        for (UUID id : ids) {
            oneByOne.put(id, groups.coverage(id).orElseThrow());
        }
        List<UUID> batch = new java.util.ArrayList<>(ids);
        batch.add(absent);
        Map<UUID, DeviceGroupService.Coverage> batched = groups.coverages(batch);

        assertThat(batched).as("a group that does not exist is absent").doesNotContainKey(absent);
        assertThat(batched).isEqualTo(oneByOne);
        assertThat(batched.get(ids.get(1)).group().endpointIds())
                .containsExactlyInAnyOrder(UUID.fromString(first), UUID.fromString(third));
        assertThat(batched.get(ids.get(1)).group().include()).containsExactly(Sha256.of(platformCa));
        assertThat(batched.get(ids.get(0)).allEndpoints()).isTrue();
        assertThat(batched.get(ids.get(2)).allEndpoints()).as("its named endpoint was deleted: it covers none")
                .isFalse();
        assertThat(batched.get(ids.get(2)).group().endpointIds()).isEmpty();
    }

    private static String endpoint(String admin, String tenant, String name) {
        return as(admin).contentType(ContentType.JSON).body(Map.of("name", name, "host", name + ".coverages.test",
                        "port", 443))
                .post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201).extract().path("id");
    }

    private static UUID group(String admin, String tenant, Map<String, Object> body) {
        return UUID.fromString(as(admin).contentType(ContentType.JSON).body(body)
                .post("/api/v1/tenants/{t}/device-groups", tenant).then().statusCode(201).extract().path("id"));
    }
}
