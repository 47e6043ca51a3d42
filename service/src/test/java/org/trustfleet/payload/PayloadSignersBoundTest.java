package org.trustfleet.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.Sha256;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.DeviceFixtures.Device;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * {@code trustfleet.cache.payload-signers-max-entries} bounds memory, not correctness: with room for one unsealed
 * signer, the payloads of several tenants are each signed by their own tenant's signer, an evicted signer is unsealed
 * again when its tenant's next payload is signed, and the replica never holds more than the bound.
 */
@QuarkusTest
@TestProfile(PayloadSignersBoundTest.OneSignerKept.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class PayloadSignersBoundTest {

    /** One signer kept; every fetch re-checks its payload, so that a deleted stored payload is signed again. */
    public static class OneSignerKept implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("trustfleet.cache.payload-signers-max-entries", "1",
                    "trustfleet.payload.cache-check-interval", "0s");
        }
    }

    @Inject
    SigningKeyService keys;

    @Inject
    AgroalDataSource db;

    @Test
    void eachTenantsPayloadIsSignedByItsOwnSignerWithOneSignerKept() throws Exception {
        List<Device> devices = new ArrayList<>();
        Map<Device, String> signers = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            String[] t = ApiFixtures.tenantWithAdmin("signers-bound");
            Device device = DeviceFixtures.device(t[0], t[1]);
            devices.add(device);
            signers.put(device, new JsonPath(as(t[1]).get("/api/v1/tenants/{t}/signing-keys/current", t[0])
                    .then().statusCode(200).extract().asString()).getString("signerSha256"));
        }
        for (int round = 0; round < 2; round++) {
            for (Device device : devices) {
                if (round == 1) {
                    // signed again at the next fetch, by the tenant's signer, evicted by the other tenants' since
                    try (Connection c = db.getConnection();
                            PreparedStatement s = c.prepareStatement("DELETE FROM signed_payload WHERE group_id = ?")) {
                        s.setObject(1, UUID.fromString(device.groupId()));
                        assertThat(s.executeUpdate()).isEqualTo(1);
                    }
                }
                byte[] cms = as(device.token()).get("/api/v1/device/payload").then().statusCode(200).extract()
                        .asByteArray();
                VerifiedPayload verified = new CmsPayloadVerifier().verify(cms, device.root(),
                        UUID.fromString(device.tenantId()));
                assertThat(Sha256.of(verified.signer())).isEqualTo(signers.get(device));
                assertThat(keys.signersKept()).isLessThanOrEqualTo(1);
            }
        }
    }
}
