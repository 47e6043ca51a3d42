package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.oneOf;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.asOperator;
import static org.trustfleet.testing.Contract.invalidRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * Devices report the stores they really have: a group computing for observed stores delivers a root its devices'
 * store lacks (reason OBSERVED_STORE_LACKS_ROOT) although the platform store of the level holds it, and a later
 * observation that holds the root restores the old set. Tenants see only their own devices' stores. Hostile
 * observations are refused.
 *
 * <p>An operator store stands for test level 77 and holds both test roots.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class ObservedStoresApiTest {
    @jakarta.inject.Inject
    io.agroal.api.AgroalDataSource db;
    static final String HOST = "login.observed.test";
    static final int LEVEL = 77;
    static final Cert ROOT = TestPki.root("Observed Root");
    static final Cert KEPT = TestPki.root("Observed Kept Root");

    @Test
    void anObservedStoreLackingARootMakesTheGroupDeliverIt() throws Exception {
        asOperator().contentType(ContentType.JSON).body(Map.of("name", "observed-" + LEVEL, "platform", "android",
                        "apiLevel", LEVEL, "pem", CertificateEncoder.toPem(List.of(ROOT.cert(), KEPT.cert()))))
                .post("/api/v1/trust-stores").then().statusCode(oneOf(200, 201));
        String[] t = ApiFixtures.tenantWithAdmin("observed");
        String[] other = ApiFixtures.tenantWithAdmin("observed-other");
        Cert issuing = ROOT.issueIntermediate("Observed Issuing CA");
        Cert leaf = issuing.issueLeaf(HOST);
        try (TestTlsServer server = TestTlsServer.tls(TestPki.certs(leaf, issuing), leaf.keyPair().getPrivate())) {
            String endpoint = as(t[1]).contentType(ContentType.JSON).body(Map.of("name", "login", "host",
                            "127.0.0.1", "port", server.port(), "serverName", HOST))
                    .post("/api/v1/tenants/{t}/endpoints", t[0]).then().statusCode(201).extract().path("id");
            as(t[1]).post("/api/v1/tenants/{t}/endpoints/{e}/scans", t[0], endpoint).then().statusCode(201);
        }
        String observedGroup = group(t, "observed", "OBSERVED");
        String bothGroup = group(t, "both", "BOTH");
        String bundledGroup = group(t, "bundled", null);
        assertThat(as(t[1]).get("/api/v1/tenants/{t}/device-groups/{g}", t[0], bundledGroup).then().statusCode(200)
                .extract().<String>path("storeSource")).isEqualTo("BUNDLED");
        for (String g : List.of(observedGroup, bothGroup, bundledGroup)) {
            assertThat(requirements(t, g).getList("certificates")).as(g).isEmpty();
        }

        DeviceFixtures.Device device = DeviceFixtures.device(t[0], t[1], observedGroup);
        DeviceFixtures.Device inBoth = DeviceFixtures.device(t[0], t[1], bothGroup);
        DeviceFixtures.Device inBundled = DeviceFixtures.device(t[0], t[1], bundledGroup);
        for (DeviceFixtures.Device d : List.of(device, inBoth, inBundled)) {
            observe(d, List.of(KEPT.sha256()));
        }

        for (String g : List.of(observedGroup, bothGroup)) {
            JsonPath required = requirements(t, g);
            assertThat(required.getList("certificates.sha256")).as(g).containsExactly(ROOT.sha256());
            assertThat(required.getList("certificates[0].reasons.code")).as(g)
                    .containsOnly("OBSERVED_STORE_LACKS_ROOT");
        }
        assertThat(requirements(t, bundledGroup).getList("certificates")).isEmpty();

        JsonPath stores = new JsonPath(as(t[1]).get("/api/v1/tenants/{t}/observed-stores", t[0]).then()
                .statusCode(200).extract().asString());
        assertThat(stores.getList("$")).hasSize(1);
        assertThat(stores.getInt("[0].apiLevel")).isEqualTo(LEVEL);
        assertThat(stores.getInt("[0].devices")).isEqualTo(3);
        assertThat(stores.getString("[0].manufacturer")).isEqualTo("Google");
        assertThat(stores.getString("[0].mainlineVersion")).isEqualTo("341157000");
        assertThat(stores.getList("[0].removed")).containsExactly(ROOT.sha256());
        assertThat(stores.getList("[0].added")).isEmpty();
        assertThat(stores.getString("[0].comparedWith")).isEqualTo("observed-" + LEVEL);
        // another tenant learns nothing of these devices
        assertThat(new JsonPath(as(other[1]).get("/api/v1/tenants/{t}/observed-stores", other[0]).then()
                .statusCode(200).extract().asString()).getList("$")).isEmpty();
        as(other[1]).get("/api/v1/tenants/{t}/observed-stores", t[0]).then().statusCode(oneOf(403, 404));

        String lacking = stores.getString("[0].digest");
        assertThat(storedSets(lacking)).isEqualTo(1);

        // the devices receive the root; their next observation holds it and the old set is back
        for (DeviceFixtures.Device d : List.of(device, inBoth, inBundled)) {
            observe(d, List.of(KEPT.sha256(), ROOT.sha256()));
        }
        for (String g : List.of(observedGroup, bothGroup, bundledGroup)) {
            assertThat(requirements(t, g).getList("certificates")).as(g).isEmpty();
        }
        assertThat(new JsonPath(as(t[1]).get("/api/v1/tenants/{t}/observed-stores", t[0]).then()
                .statusCode(200).extract().asString()).getList("[0].removed")).isEmpty();
        // the set no device reports any more is gone: storage follows the devices' latest observations
        assertThat(storedSets(lacking)).isZero();
    }

    private int storedSets(String digest) throws java.sql.SQLException {
        try (java.sql.Connection c = db.getConnection(); java.sql.PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM observed_store_set WHERE digest = ?")) {
            s.setString(1, digest);
            try (java.sql.ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    @Test
    void hostileObservationsAreRefused() {
        String[] t = ApiFixtures.tenantWithAdmin("observed-hostile");
        DeviceFixtures.Device device = DeviceFixtures.device(t[0], t[1]);
        String sha = KEPT.sha256();
        Map<String, Map<String, Object>> cases = new LinkedHashMap<>();
        cases.put("an invalid SHA-256", body(facts(34, "Google"), List.of("xyz")));
        cases.put("a SHA-256 of 63 digits", body(facts(34, "Google"), List.of(sha.substring(1))));
        cases.put("1001 entries", body(facts(34, "Google"), Collections.nCopies(1001, sha)));
        cases.put("100,000 short entries", body(facts(34, "Google"), Collections.nCopies(100_000, "a")));
        cases.put("API level 0", body(facts(0, "Google"), List.of(sha)));
        cases.put("API level 101", body(facts(101, "Google"), List.of(sha)));
        cases.put("a control character", body(facts(34, "Goo\u0007gle"), List.of(sha)));
        cases.put("too long a manufacturer", body(facts(34, "G".repeat(101)), List.of(sha)));
        cases.put("no facts", body(null, List.of(sha)));
        cases.put("no store", body(facts(34, "Google"), null));
        for (Map.Entry<String, Map<String, Object>> c : cases.entrySet()) {
            io.restassured.response.Response response = invalidRequest().auth().oauth2(device.token())
                    .contentType(ContentType.JSON).body(c.getValue()).post("/api/v1/device/observations");
            assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
        }
        List<String> huge = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            huge.add(String.format(java.util.Locale.ROOT, "%064x", i));
        }
        assertThat(invalidRequest().auth().oauth2(device.token()).contentType(ContentType.JSON)
                .body(body(facts(34, "Google"), huge)).post("/api/v1/device/observations").statusCode())
                .as("100,000 real ids: above the body limit").isEqualTo(413);
        assertThat(new JsonPath(as(t[1]).get("/api/v1/tenants/{t}/observed-stores", t[0]).then().statusCode(200)
                .extract().asString()).getList("$")).isEmpty();
    }

    private static String group(String[] t, String name, String storeSource) {
        Map<String, Object> body = new HashMap<>(Map.of("name", name, "minApiLevel", LEVEL, "maxApiLevel", LEVEL));
        if (storeSource != null) {
            body.put("storeSource", storeSource);
        }
        return as(t[1]).contentType(ContentType.JSON).body(body)
                .post("/api/v1/tenants/{t}/device-groups", t[0]).then().statusCode(201).extract().path("id");
    }

    private static JsonPath requirements(String[] t, String group) {
        return new JsonPath(as(t[1]).get("/api/v1/tenants/{t}/device-groups/{g}/requirements", t[0], group).then()
                .statusCode(200).extract().asString());
    }

    private static Map<String, Object> facts(int apiLevel, String manufacturer) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("manufacturer", manufacturer);
        facts.put("model", "Pixel 7");
        facts.put("release", "14");
        facts.put("apiLevel", apiLevel);
        facts.put("securityPatch", "2026-10-05");
        facts.put("mainlineVersion", "341157000");
        return facts;
    }

    private static Map<String, Object> body(Map<String, Object> facts, List<String> store) {
        Map<String, Object> body = new HashMap<>();
        body.put("facts", facts);
        body.put("systemStore", store);
        return body;
    }

    private static void observe(DeviceFixtures.Device device, List<String> store) {
        as(device.token()).contentType(ContentType.JSON).body(body(facts(LEVEL, "Google"), store))
                .post("/api/v1/device/observations").then().statusCode(202);
    }
}
