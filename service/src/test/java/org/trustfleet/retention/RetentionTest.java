package org.trustfleet.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.policy.RequirementsService;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.DeviceFixtures.Device;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * Retention deletes old scan history and chain events, and nothing current: after an endpoint's whole history is
 * made old, the group's requirements (also when recomputed), the device's payload and its compliance, and the
 * endpoint's latest scan are exactly what they were, and the next scan of the same chain is not a chain change (the
 * latest scan that saw a chain was kept).
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class RetentionTest {
    static final String HOST = "retention.contoso.test";
    static final Cert ROOT = TestPki.root("Retention Root");

    @Inject
    RetentionJob retention;
    @Inject
    RequirementsService requirements;
    @Inject
    AgroalDataSource db;

    @Test
    void pruningOldHistoryChangesNoRequirementPayloadOrCompliance() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("retention");
        String tenant = t[0];
        String admin = t[1];
        as(admin).contentType(ContentType.JSON).body(Map.of("pem", CertificateEncoder.toPem(List.of(ROOT.cert()))))
                .post("/api/v1/tenants/{t}/anchors", tenant).then().statusCode(201);
        Cert intermediate = ROOT.issueIntermediate("Retention CA");
        Cert first = intermediate.issueLeaf(HOST);
        Cert renewed = intermediate.issueLeaf(HOST);
        String endpoint = endpoint(tenant, admin, TestTlsServer.closedPort(), null);
        List<String> scans = new ArrayList<>();
        scans.add(scan(tenant, admin, endpoint)); // 1: refused
        try (TestTlsServer server = TestTlsServer.tls(TestPki.certs(first, intermediate), first.keyPair().getPrivate())) {
            endpoint(tenant, admin, server.port(), endpoint);
            scans.add(scan(tenant, admin, endpoint)); // 2: first chain
        }
        endpoint(tenant, admin, TestTlsServer.closedPort(), endpoint);
        scans.add(scan(tenant, admin, endpoint)); // 3: refused
        String group = as(admin).contentType(ContentType.JSON).body(Map.of("name", "retention", "minApiLevel", 30,
                        "maxApiLevel", 34, "endpointIds", List.of(endpoint)))
                .post("/api/v1/tenants/{t}/device-groups", tenant).then().statusCode(201).extract().path("id");
        try (TestTlsServer server = TestTlsServer.tls(TestPki.certs(renewed, intermediate), renewed.keyPair().getPrivate())) {
            endpoint(tenant, admin, server.port(), endpoint);
            scans.add(scan(tenant, admin, endpoint)); // 4: renewed leaf, a chain change

            Device device = DeviceFixtures.device(tenant, admin, group);
            JsonPath before = requirementsOf(tenant, admin, group);
            assertThat(before.getList("certificates")).isNotEmpty(); // derived from the latest scan
            String etag = as(device.token()).get("/api/v1/device/payload").then().statusCode(200).extract()
                    .header("ETag");
            as(device.token()).contentType(ContentType.JSON).body(Map.of("payloadVersion", before.getLong("version"),
                    "installed", before.getList("certificates.sha256"), "apiLevel", 34))
                    .post("/api/v1/device/reports").then().statusCode(202);
            String compliance = complianceOf(tenant, admin, device);
            assertThat(compliance).isEqualTo("COMPLIANT");
            assertThat(count("SELECT count(*) FROM chain_event WHERE endpoint_id = ?", endpoint)).isEqualTo(1);

            // the whole history becomes a year old; two runs (the second finds what the first freed)
            exec("UPDATE scan SET started_at = started_at - interval '400 days' WHERE endpoint_id = ?", endpoint);
            exec("UPDATE chain_event SET occurred_at = occurred_at - interval '400 days' WHERE endpoint_id = ?",
                    endpoint);
            retention.run();
            retention.run();

            assertThat(count("SELECT count(*) FROM chain_event WHERE endpoint_id = ?", endpoint)).isZero();
            assertThat(history(tenant, admin, endpoint)).containsExactly(scans.get(3));
            JsonPath after = requirementsOf(tenant, admin, group);
            assertThat(after.getLong("version")).isEqualTo(before.getLong("version"));
            assertThat(after.getList("certificates")).isEqualTo(before.getList("certificates"));
            requirements.recompute(UUID.fromString(group)); // computed again from what is left: the same
            JsonPath recomputed = requirementsOf(tenant, admin, group);
            assertThat(recomputed.getLong("version")).isEqualTo(before.getLong("version"));
            assertThat(recomputed.getList("certificates")).isEqualTo(before.getList("certificates"));
            as(device.token()).header("If-None-Match", etag).get("/api/v1/device/payload").then().statusCode(304);
            assertThat(complianceOf(tenant, admin, device)).isEqualTo(compliance);

            JsonPath again = new JsonPath(as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant,
                    endpoint).then().statusCode(201).extract().asString());
            assertThat(again.getList("findings.code")).doesNotContain("CHAIN_CHANGED");
        }
    }

    private static String endpoint(String tenant, String admin, int port, String existing) {
        var body = as(admin).contentType(ContentType.JSON).body(Map.of("name", "retention", "host", "127.0.0.1",
                "port", port, "serverName", HOST));
        if (existing == null) {
            return body.post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201).extract().path("id");
        }
        body.put("/api/v1/tenants/{t}/endpoints/{e}", tenant, existing).then().statusCode(200);
        return existing;
    }

    private static String scan(String tenant, String admin, String endpoint) {
        return as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, endpoint).then().statusCode(201)
                .extract().path("id");
    }

    private static List<String> history(String tenant, String admin, String endpoint) {
        return as(admin).get("/api/v1/tenants/{t}/endpoints/{e}/scans?limit=200", tenant, endpoint).then()
                .statusCode(200).extract().jsonPath().getList("id");
    }

    private static JsonPath requirementsOf(String tenant, String admin, String group) {
        return new JsonPath(as(admin).get("/api/v1/tenants/{t}/device-groups/{g}/requirements", tenant, group)
                .then().statusCode(200).extract().asString());
    }

    private static String complianceOf(String tenant, String admin, Device device) {
        Response r = as(admin).get("/api/v1/tenants/{t}/devices/{d}", tenant, device.id());
        return r.then().statusCode(200).extract().path("compliance.state");
    }

    private long count(String sql, String id) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, UUID.fromString(id));
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private void exec(String sql, String id) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, UUID.fromString(id));
            s.executeUpdate();
        }
    }
}
