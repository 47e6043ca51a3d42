package org.trustfleet.testing;

import static org.trustfleet.testing.Contract.api;
import static org.trustfleet.testing.Contract.as;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.trustfleet.pki.CertificateParser;

/** Device groups, enrollment tokens and enrolled devices through the API, for tests that need them as setup. */
public final class DeviceFixtures {
    private DeviceFixtures() {}

    /** An enrolled device: its id and bearer token, its tenant and group, and the signer chain it got. */
    public record Device(String id, String token, String tenantId, String groupId, String chainPem) {
        /** The payload root the device pins (last certificate of the chain). */
        public X509Certificate root() {
            List<X509Certificate> chain = CertificateParser.parse(chainPem);
            return chain.get(chain.size() - 1);
        }

        public X509Certificate signer() {
            return CertificateParser.parse(chainPem).get(0);
        }
    }

    /** A group over API levels 90..99 of the tenant; {@code include} lists certificates always delivered. */
    public static String group(String tenant, String admin, String name, List<String> include) {
        return as(admin).contentType(ContentType.JSON).body(Map.of("name", name + "-" + UUID.randomUUID(),
                        "minApiLevel", 90, "maxApiLevel", 99, "include", include))
                .post("/api/v1/tenants/{t}/device-groups", tenant).then().statusCode(201).extract().path("id");
    }

    public static String enrollmentToken(String tenant, String admin, String group, int maxUses) {
        return as(admin).contentType(ContentType.JSON).body(Map.of("deviceGroupId", group,
                        "expiresInSeconds", 3600, "maxUses", maxUses))
                .post("/api/v1/tenants/{t}/enrollment-tokens", tenant).then().statusCode(201).extract()
                .path("token");
    }

    /** Enrolls as a device of API level 95 (inside the range of {@link #group}'s groups). */
    public static JsonPath enroll(String enrollmentToken, String hardwareId) {
        return enroll(enrollmentToken, hardwareId, 95);
    }

    public static JsonPath enroll(String enrollmentToken, String hardwareId, int apiLevel) {
        return new JsonPath(api().contentType(ContentType.JSON).body(Map.of("enrollmentToken", enrollmentToken,
                        "hardwareId", hardwareId, "apiLevel", apiLevel, "model", "Pixel Test"))
                .post("/api/v1/enroll").then().statusCode(201).extract().asString());
    }

    /** Enrolls a new device into the group, of API level 95 or, outside the group's range, its nearest end. */
    public static Device device(String tenant, String admin, String group) {
        JsonPath g = new JsonPath(as(admin).get("/api/v1/tenants/{t}/device-groups/{g}", tenant, group).then()
                .statusCode(200).extract().asString());
        int apiLevel = Math.max(g.getInt("minApiLevel"), Math.min(95, g.getInt("maxApiLevel")));
        JsonPath e = enroll(enrollmentToken(tenant, admin, group, 1), "hw-" + UUID.randomUUID(), apiLevel);
        return new Device(e.getString("deviceId"), e.getString("deviceToken"), tenant, group,
                e.getString("payloadSignerChain"));
    }

    /** {@code count} devices enrolled into a fresh group (no endpoints) of the tenant, in enrollment order. */
    public static List<Device> fleet(String tenant, String admin, String groupName, int count) {
        String group = group(tenant, admin, groupName, List.of());
        List<Device> fleet = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            fleet.add(device(tenant, admin, group));
        }
        return fleet;
    }

    /** A tenant-A style device: a fresh group without endpoints, one device enrolled into it. */
    public static Device device(String tenant, String admin) {
        return device(tenant, admin, group(tenant, admin, "devices", List.of()));
    }
}
