package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.trustfleet.testing.Contract.api;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.invalidRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.payload.SignerIdentity;
import org.trustfleet.pki.CertificateParser;
import org.trustfleet.pki.Certificates;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * Enrollment tokens and enrollment: the happy path, token validation, unknown and used-up tokens. Expiry, the
 * failure rate limit and atomic use are in {@link DeviceClockTest}.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class EnrollmentApiTest {
    private String tenant;
    private String admin;
    private String group;

    @BeforeEach
    void setUp() {
        String[] t = ApiFixtures.tenantWithAdmin("enrollment");
        tenant = t[0];
        admin = t[1];
        group = DeviceFixtures.group(tenant, admin, "enroll", List.of());
    }

    @Test
    void aTokenEnrollsADeviceThatPinsThePayloadRoot() {
        JsonPath issued = new JsonPath(as(admin).contentType(ContentType.JSON).body(Map.of("deviceGroupId", group,
                        "expiresInSeconds", 600, "maxUses", 2))
                .post("/api/v1/tenants/{t}/enrollment-tokens", tenant).then().statusCode(201).extract().asString());
        assertThat(issued.getString("token")).startsWith("tfe_");
        assertThat(issued.getString("deviceGroupId")).isEqualTo(group);
        assertThat(issued.getInt("maxUses")).isEqualTo(2);

        JsonPath e = new JsonPath(api().contentType(ContentType.JSON).body(Map.of(
                        "enrollmentToken", issued.getString("token"), "hardwareId", "serial-0001", "apiLevel", 93,
                        "model", "Galaxy A", "agentVersion", "acme-dpc/4.2"))
                .post("/api/v1/enroll").then().statusCode(201).extract().asString());
        assertThat(e.getString("deviceToken")).startsWith("tfd_");
        assertThat(e.getString("tenantId")).isEqualTo(tenant);
        assertThat(e.getString("deviceGroupId")).isEqualTo(group);
        assertThat(e.getString("payloadUrl")).isEqualTo("/api/v1/device/payload");
        List<X509Certificate> chain = CertificateParser.parse(e.getString("payloadSignerChain"));
        assertThat(chain).hasSize(2);
        assertThat(Certificates.isSelfSigned(chain.get(1))).isTrue();
        assertThat(Certificates.isIssuedBy(chain.get(0), chain.get(1))).isTrue();
        assertThat(SignerIdentity.tenantOf(chain.get(0))).contains(UUID.fromString(tenant));

        JsonPath device = new JsonPath(as(admin).get("/api/v1/tenants/{t}/devices/{d}", tenant,
                e.getString("deviceId")).then().statusCode(200).extract().asString());
        assertThat(device.getString("hardwareId")).isEqualTo("serial-0001");
        assertThat(device.getString("agentVersion")).isEqualTo("acme-dpc/4.2");
        assertThat(device.getInt("apiLevel")).isEqualTo(93);
        assertThat(device.getString("compliance.state")).isEqualTo("PENDING");
        assertThat(device.getBoolean("revoked")).isFalse();
    }

    @Test
    void adminsListTokensWithTheirStateAndRevokeThem() {
        String active = issue(3);
        String usedUp = issue(1);
        enroll(tokenOf(usedUp), "serial-list-1", 93).then().statusCode(201);
        String revoked = issue(5);

        as(admin).delete("/api/v1/tenants/{t}/enrollment-tokens/{id}", tenant, id(revoked)).then().statusCode(204);
        // again: nothing changes
        as(admin).delete("/api/v1/tenants/{t}/enrollment-tokens/{id}", tenant, id(revoked)).then().statusCode(204);

        JsonPath list = new JsonPath(as(admin).get("/api/v1/tenants/{t}/enrollment-tokens", tenant).then()
                .statusCode(200).extract().asString());
        assertThat(list.getList("id")).containsExactly(id(revoked), id(usedUp), id(active));
        assertThat(list.getList("state")).containsExactly("REVOKED", "USED_UP", "ACTIVE");
        assertThat(list.getList("uses", Integer.class)).containsExactly(0, 1, 0);
        assertThat(list.getString("[0].revokedAt")).isNotNull();
        assertThat(list.getString("[2].revokedAt")).isNull();
        assertThat(list.getString("[2].tokenPrefix")).startsWith("tfe_");
        assertThat(tokenOf(active)).startsWith(list.getString("[2].tokenPrefix"));
        assertThat(list.getMap("[0]")).doesNotContainKey("token");

        assertThat(new JsonPath(as(admin).queryParam("limit", 2).get("/api/v1/tenants/{t}/enrollment-tokens", tenant)
                .then().statusCode(200).extract().asString()).getList("id")).containsExactly(id(revoked), id(usedUp));
        for (String limit : List.of("0", "1001", "many")) {
            ProblemApiTest.assertProblem(invalidRequest().auth().oauth2(admin).queryParam("limit", limit)
                    .get("/api/v1/tenants/{t}/enrollment-tokens", tenant).then(), 400, "validation");
        }

        ProblemApiTest.assertProblem(enroll(tokenOf(revoked), "serial-list-2", 93).then(), 410, "gone")
                .body("detail", containsString("revoked"));
        enroll(tokenOf(active), "serial-list-3", 93).then().statusCode(201);

        // another tenant's admin neither sees nor revokes them
        String[] other = ApiFixtures.tenantWithAdmin("enrollment-other");
        as(other[1]).get("/api/v1/tenants/{t}/enrollment-tokens", other[0]).then().statusCode(200)
                .body("size()", equalTo(0));
        ProblemApiTest.assertProblem(as(other[1]).delete("/api/v1/tenants/{t}/enrollment-tokens/{id}", other[0],
                id(active)).then(), 404, "not-found");
        ProblemApiTest.assertProblem(as(admin).delete("/api/v1/tenants/{t}/enrollment-tokens/{id}", tenant,
                "not-an-id").then(), 404, "not-found");
        enroll(tokenOf(active), "serial-list-4", 93).then().statusCode(201);
    }

    @Test
    void aDeviceOutsideTheGroupsApiRangeIsRefusedWithoutUsingTheToken() {
        String issued = issue(1);  // the fixture group covers API levels 90 to 99
        for (int level : new int[] {89, 100}) {
            ProblemApiTest.assertProblem(enroll(tokenOf(issued), "serial-range", level).then(), 409, "conflict")
                    .body("detail", containsString("90 to 99"));
        }
        JsonPath list = new JsonPath(as(admin).get("/api/v1/tenants/{t}/enrollment-tokens", tenant).then()
                .statusCode(200).extract().asString());
        assertThat(list.getInt("[0].uses")).isZero();
        enroll(tokenOf(issued), "serial-range", 90).then().statusCode(201);
    }

    private String issue(int maxUses) {
        return as(admin).contentType(ContentType.JSON).body(Map.of("deviceGroupId", group, "expiresInSeconds", 600,
                "maxUses", maxUses)).post("/api/v1/tenants/{t}/enrollment-tokens", tenant).then().statusCode(201)
                .extract().asString();
    }

    private static String id(String issued) {
        return new JsonPath(issued).getString("id");
    }

    private static String tokenOf(String issued) {
        return new JsonPath(issued).getString("token");
    }

    private static io.restassured.response.Response enroll(String token, String hardwareId, int apiLevel) {
        return api().contentType(ContentType.JSON).body(Map.of("enrollmentToken", token, "hardwareId", hardwareId,
                "apiLevel", apiLevel)).post("/api/v1/enroll");
    }

    @Test
    void tokenRequestsAreValidated() {
        String[] other = ApiFixtures.tenantWithAdmin("enrollment-other");
        String foreignGroup = DeviceFixtures.group(other[0], other[1], "foreign", List.of());
        for (Map<String, Object> body : List.of(
                Map.<String, Object>of("deviceGroupId", group, "expiresInSeconds", 59, "maxUses", 1),
                Map.<String, Object>of("deviceGroupId", group, "expiresInSeconds", 31_536_001, "maxUses", 1),
                Map.<String, Object>of("deviceGroupId", group, "expiresInSeconds", 60, "maxUses", 0),
                Map.<String, Object>of("deviceGroupId", group, "expiresInSeconds", 60, "maxUses", 100_001),
                Map.<String, Object>of("expiresInSeconds", 60, "maxUses", 1))) {
            invalidRequest().auth().oauth2(admin).contentType(ContentType.JSON).body(body)
                    .post("/api/v1/tenants/{t}/enrollment-tokens", tenant).then().statusCode(400);
        }
        as(admin).contentType(ContentType.JSON).body(Map.of("deviceGroupId", foreignGroup,
                        "expiresInSeconds", 60, "maxUses", 1))
                .post("/api/v1/tenants/{t}/enrollment-tokens", tenant).then().statusCode(400)
                .body("detail", containsString("deviceGroupId"));
    }

    @Test
    void unknownAndUsedUpTokensAreRefusedDistinctly() {
        api().contentType(ContentType.JSON).body(Map.of("enrollmentToken", "tfe_" + UUID.randomUUID(),
                        "hardwareId", "hw-1", "apiLevel", 30))
                .post("/api/v1/enroll").then().statusCode(401)
                .body("type", equalTo("urn:trustfleet:problem:unauthenticated"))
                .body("detail", containsString("not valid"));

        String once = DeviceFixtures.enrollmentToken(tenant, admin, group, 1);
        DeviceFixtures.enroll(once, "hw-first");
        api().contentType(ContentType.JSON).body(Map.of("enrollmentToken", once, "hardwareId", "hw-second",
                        "apiLevel", 30))
                .post("/api/v1/enroll").then().statusCode(410)
                .body("type", equalTo("urn:trustfleet:problem:gone"))
                .body("detail", containsString("used 1 times"));

        invalidRequest().contentType(ContentType.JSON).body(Map.of("enrollmentToken", once, "apiLevel", 30))
                .post("/api/v1/enroll").then().statusCode(400);
    }
}
