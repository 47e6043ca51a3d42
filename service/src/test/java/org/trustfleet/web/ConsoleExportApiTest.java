package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.oneOf;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.asOperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.export.CertificateFilesTest;
import org.trustfleet.export.IntuneProfileType;
import org.trustfleet.export.IntuneProfiles;
import org.trustfleet.export.UserStoreCaveat;
import org.trustfleet.export.VendorModels;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.Contract;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * The console exports as an MDM admin uses them: an ONC file, the AMAPI merge, Intune batches, changes since a
 * version, conditional GETs, the zip and EST; every JSON answer read by the vendor's own model.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class ConsoleExportApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int LEVEL = 84;
    static final Cert STORE_ROOT = TestPki.root("Console Export Store Root");
    static final Cert ROOT_A = TestPki.root("Console Export Root A");
    static final Cert ROOT_B = TestPki.root("Console Export Root B");
    static final Cert ROOT_C = TestPki.root("Console Export Root C");
    static final String ENTRA = "3b8f7c21-9d4e-4a6b-8c1d-2e3f4a5b6c7d";

    @Inject
    AgroalDataSource db;

    private String tenant;
    private String admin;
    private String console;

    @BeforeEach
    void setUp() {
        asOperator().contentType(ContentType.JSON).body(Map.of("name", "console-export-" + LEVEL, "platform",
                        "android", "apiLevel", LEVEL, "pem", CertificateEncoder.toPem(List.of(STORE_ROOT.cert()))))
                .post("/api/v1/trust-stores").then().statusCode(oneOf(200, 201));
        String[] t = ApiFixtures.tenantWithAdmin("console-export");
        tenant = t[0];
        admin = t[1];
        console = ApiFixtures.issueKey(tenant, "console");
        for (Cert anchor : List.of(ROOT_A, ROOT_B, ROOT_C)) {
            as(admin).contentType(ContentType.JSON).body(Map.of("pem", CertificateEncoder.toPem(
                    List.of(anchor.cert())))).post("/api/v1/tenants/{t}/anchors", tenant).then().statusCode(201);
        }
    }

    @Test
    void oncIsAnOncFile() throws Exception {
        String group = group("Field", "FULLY_MANAGED", ROOT_A, ROOT_B);
        ExtractableResponse<Response> onc = export(console, group, "onc");
        assertThat(onc.contentType()).isEqualTo("application/x-onc");
        assertThat(onc.header("Content-Disposition")).endsWith(".onc\"");
        JsonPath doc = new JsonPath(onc.asString());
        assertThat(doc.getString("Type")).isEqualTo("UnencryptedConfiguration");
        assertThat(doc.getList("Certificates.GUID")).containsExactlyInAnyOrder("trustfleet-" + ROOT_A.sha256(),
                "trustfleet-" + ROOT_B.sha256());
        // the AMAPI model reads it as a policy's openNetworkConfiguration, and the amapi-onc fragment as a policy
        ObjectNode policy = JSON.createObjectNode();
        policy.set("openNetworkConfiguration", JSON.readTree(onc.asString()));
        VendorModels.amapiPolicy(policy);
        JsonNode fragment = JSON.readTree(export(console, group, "amapi-onc").asString());
        VendorModels.amapiPolicy(fragment);
        assertThat(fragment.get("openNetworkConfiguration")).isEqualTo(policy.get("openNetworkConfiguration"));
    }

    @Test
    void everyFormatAnswers304ToItsETagUntilTheSetChanges() throws Exception {
        String group = group("Polled", "FULLY_MANAGED", ROOT_A);
        List<String> formats = List.of("onc", "amapi-onc", "intune-graph", "intune-graph-batch", "pem", "der",
                "pkcs7", "est", "zip");
        List<String> tags = new ArrayList<>();
        for (String format : formats) {
            String tag = export(console, group, format).header("ETag");
            assertThat(tag).as(format).matches("\"[0-9a-f]{64}\"");
            tags.add(tag);
            as(console).header("If-None-Match", "W/\"other\", " + tag)
                    .get("/api/v1/tenants/{t}/device-groups/{g}/payload-definition?format=" + format, tenant, group)
                    .then().statusCode(304).header("ETag", tag).header("X-Trustfleet-Requirements-Version", "1");
        }
        assertThat(tags).doesNotHaveDuplicates();
        replace(group, "Polled", "FULLY_MANAGED", ROOT_B);
        for (int i = 0; i < formats.size(); i++) {
            as(console).header("If-None-Match", tags.get(i))
                    .get("/api/v1/tenants/{t}/device-groups/{g}/payload-definition?format=" + formats.get(i),
                            tenant, group)
                    .then().statusCode(200).header("X-Trustfleet-Requirements-Version", "2");
        }
    }

    @Test
    void estHasRfc7030HeadersAndOpensslReadsIt() throws Exception {
        String group = group("Est", "DEDICATED", ROOT_A, ROOT_B);
        ExtractableResponse<Response> est = export(console, group, "est");
        assertThat(est.header("Content-Type")).isEqualTo("application/pkcs7-mime; smime-type=certs-only");
        assertThat(est.header("Content-Transfer-Encoding")).isEqualTo("base64");
        Path file = Files.createTempFile("cacerts", ".b64");
        Files.write(file, est.asByteArray());
        Process p = new ProcessBuilder("bash", "-c", "openssl base64 -d < \"$1\" | openssl pkcs7 -inform DER"
                + " -print_certs -noout", "est", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("Console Export Root A").contains("Console Export Root B");
        Files.delete(file);
    }

    @Test
    void zipCarriesCerAndPemFilesAndTheReadme() throws Exception {
        String group = group("Uploads", "AOSP", ROOT_C);
        ExtractableResponse<Response> zip = export(admin, group, "zip");
        assertThat(zip.contentType()).isEqualTo("application/zip");
        assertThat(zip.header("Content-Disposition")).contains("trustfleet-uploads.zip");
        Map<String, byte[]> files = CertificateFilesTest.unzip(zip.asByteArray());
        String base = "Console_Export_Root_C_" + ROOT_C.sha256().substring(0, 16);
        assertThat(files.keySet()).containsExactlyInAnyOrder(base + ".cer", base + ".pem", "README.txt");
        String readme = new String(files.get("README.txt"), StandardCharsets.UTF_8);
        assertThat(readme).contains("INCLUDED_BY_POLICY").contains(UserStoreCaveat.NETWORK_SECURITY_CONFIG);
    }

    @Test
    void amapiPolicyMergeKeepsTheAdminsNetworks() throws Exception {
        String group = group("Merged", "WORK_PROFILE", ROOT_A, ROOT_B);
        ObjectNode policy = (ObjectNode) JSON.readTree("""
                {"name": "enterprises/LC0/policies/p1", "statusBarDisabled": true,
                 "applications": [{"packageName": "com.contoso.app", "installType": "AVAILABLE"}],
                 "openNetworkConfiguration": {"Type": "UnencryptedConfiguration",
                   "NetworkConfigurations": [{"GUID": "wifi", "Name": "Corp", "Type": "WiFi",
                     "WiFi": {"SSID": "Corp", "Security": "WPA-EAP",
                              "EAP": {"Outer": "EAP-TLS", "ServerCARef": "radius"}}}],
                   "Certificates": [{"GUID": "radius", "Type": "Authority", "X509": "%s"},
                                    {"GUID": "trustfleet-%s", "Type": "Authority", "X509": "%s"}]}}
                """.formatted(b64(ROOT_C), ROOT_C.sha256(), b64(ROOT_C)));
        JsonPath merged = as(console).contentType(ContentType.JSON).body(policy.toString())
                .post("/api/v1/tenants/{t}/device-groups/{g}/amapi-policy", tenant, group)
                .then().statusCode(200).extract().jsonPath();
        assertThat(merged.getString("updateMask")).isEqualTo("openNetworkConfiguration");
        assertThat(merged.getLong("requirementsVersion")).isEqualTo(1);
        assertThat(merged.getList("added")).containsExactlyInAnyOrder(ROOT_A.sha256(), ROOT_B.sha256());
        assertThat(merged.getList("removed")).containsExactly(ROOT_C.sha256());
        assertThat(merged.getString("note")).isEqualTo(UserStoreCaveat.SENTENCE);
        assertThat(merged.getList("policy.openNetworkConfiguration.Certificates.GUID")).containsExactly("radius",
                "trustfleet-" + Stream.of(ROOT_A, ROOT_B).map(Cert::sha256).sorted().findFirst().orElseThrow(),
                "trustfleet-" + Stream.of(ROOT_A, ROOT_B).map(Cert::sha256).sorted().skip(1).findFirst()
                        .orElseThrow());
        JsonNode mergedPolicy = JSON.readTree(JSON.writeValueAsString(merged.getMap("policy")));
        assertThat(mergedPolicy.get("applications")).isEqualTo(policy.get("applications"));
        VendorModels.amapiPolicy(mergedPolicy);

        // a network trusting a Trustfleet certificate that leaves the set: the merge would break it
        ((ObjectNode) policy.at("/openNetworkConfiguration/NetworkConfigurations/0/WiFi/EAP"))
                .put("ServerCARef", "trustfleet-" + ROOT_C.sha256());
        as(console).contentType(ContentType.JSON).body(policy.toString())
                .post("/api/v1/tenants/{t}/device-groups/{g}/amapi-policy", tenant, group)
                .then().statusCode(409).body("type", equalTo("urn:trustfleet:problem:conflict"));
        Contract.invalidRequest().auth().oauth2(console).contentType(ContentType.JSON).body("[1]")
                .post("/api/v1/tenants/{t}/device-groups/{g}/amapi-policy", tenant, group)
                .then().statusCode(400).body("type", equalTo("urn:trustfleet:problem:validation"));
    }

    @Test
    void intuneBatchIsTenantWideAndCarriesAssignments() throws Exception {
        // two groups need ROOT_A with the device-owner type: one profile for both; only the second needs ROOT_B
        String kiosks = group("Kiosks", "DEDICATED", ROOT_A);
        group("Cope", "CORPORATE_OWNED_WORK_PROFILE", ROOT_A, ROOT_B);
        JsonNode first = JSON.readTree(as(admin)
                .get("/api/v1/tenants/{t}/device-groups/{g}/payload-definition?format=intune-graph-batch&assignTo="
                        + ENTRA, tenant, kiosks).then().statusCode(200).extract().asString());
        assertThat(first.size()).isEqualTo(1);
        first.forEach(VendorModels::graphBatch);
        assertThat(first.at("/0/requests/0/body/@odata.type").asText())
                .isEqualTo(IntuneProfileType.DEVICE_OWNER.odataType());

        // Intune now has ROOT_A's profile (unassigned), ROOT_B's (the other group's) assigned to this group's
        // Entra group by mistake, and ROOT_C's, which no group needs
        ArrayNode value = JSON.createArrayNode();
        value.add(listed("pa", ROOT_A));
        value.add(listed("pb", ROOT_B, ENTRA));
        value.add(listed("pc", ROOT_C));
        ObjectNode listing = JSON.createObjectNode();
        listing.set("value", value);
        JsonNode plan = JSON.readTree(as(admin).contentType(ContentType.JSON).body(listing.toString())
                .post("/api/v1/tenants/{t}/device-groups/{g}/intune-batch?assignTo=" + ENTRA, tenant, kiosks)
                .then().statusCode(200).extract().asString());
        plan.forEach(VendorModels::graphBatch);
        List<String> calls = new ArrayList<>();
        plan.forEach(b -> b.get("requests").forEach(r -> calls.add(r.get("method").asText() + " "
                + r.get("url").asText() + (r.has("body") ? " " + r.at("/body/target/groupId").asText() : ""))));
        assertThat(calls).containsExactly("DELETE /deviceManagement/deviceConfigurations/pc",
                "DELETE /deviceManagement/deviceConfigurations/pb/assignments/pb-" + ENTRA,
                "POST /deviceManagement/deviceConfigurations/pa/assignments " + ENTRA);

        Contract.invalidRequest().auth().oauth2(admin)
                .get("/api/v1/tenants/{t}/device-groups/{g}/payload-definition?format=intune-graph-batch"
                        + "&assignTo=not-a-guid", tenant, kiosks)
                .then().statusCode(400).body("detail", containsString("assignTo"));
    }

    @Test
    void changesSinceAVersion() {
        String group = group("Diffed", "FULLY_MANAGED", ROOT_A, ROOT_B);
        JsonPath all = changes(group, 0);
        assertThat(all.getLong("version")).isEqualTo(1);
        assertThat(all.getList("added.sha256")).containsExactlyInAnyOrder(ROOT_A.sha256(), ROOT_B.sha256());
        assertThat(all.getList("added.role")).containsOnly("root");
        assertThat(all.getList("removed")).isEmpty();
        assertThat(changes(group, 1).getList("added")).isEmpty();

        replace(group, "Diffed", "FULLY_MANAGED", ROOT_B, ROOT_C);
        JsonPath diff = changes(group, 1);
        assertThat(diff.getLong("since")).isEqualTo(1);
        assertThat(diff.getLong("version")).isEqualTo(2);
        assertThat(diff.getList("added.sha256")).containsExactly(ROOT_C.sha256());
        assertThat(diff.getList("removed.sha256")).containsExactly(ROOT_A.sha256());
        assertThat(diff.getString("removed[0].subject")).contains("Console Export Root A");

        for (String bad : List.of("3", "-1", "x")) {
            Contract.invalidRequest().auth().oauth2(console)
                    .get("/api/v1/tenants/{t}/device-groups/{g}/requirements/changes?since=" + bad, tenant, group)
                    .then().statusCode(400).body("type", equalTo("urn:trustfleet:problem:validation"));
        }
    }

    @Test
    void theNewOperationsAreTheTenantsOnly() {
        String group = group("Scoped", "FULLY_MANAGED", ROOT_A);
        String otherAdmin = ApiFixtures.tenantWithAdmin("console-export-other")[1];
        as(otherAdmin).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/tenants/{t}/device-groups/{g}/amapi-policy", tenant, group).then().statusCode(404);
        as(otherAdmin).contentType(ContentType.JSON).body("{\"value\": []}")
                .post("/api/v1/tenants/{t}/device-groups/{g}/intune-batch", tenant, group).then().statusCode(404);
        as(otherAdmin).get("/api/v1/tenants/{t}/device-groups/{g}/requirements/changes?since=0", tenant, group)
                .then().statusCode(404);
        Contract.invalidRequest().get("/api/v1/tenants/{t}/device-groups/{g}/requirements/changes?since=0", tenant,
                group).then().statusCode(401);
        Contract.invalidRequest().contentType(ContentType.JSON).body("{}")
                .post("/api/v1/tenants/{t}/device-groups/{g}/amapi-policy", tenant, group).then().statusCode(401);
        // a group of another tenant under this tenant's path names nothing
        as(admin).get("/api/v1/tenants/{t}/device-groups/{g}/requirements/changes?since=0", tenant,
                java.util.UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void aVersionFromBeforeTheHistoryIsGone() throws Exception {
        String group = group("Old history", "FULLY_MANAGED", ROOT_A);
        replace(group, "Old history", "FULLY_MANAGED", ROOT_B);
        assertThat(changes(group, 1).getList("added.sha256")).containsExactly(ROOT_B.sha256());
        // as for a version computed before the history was recorded
        try (var connection = db.getConnection(); var delete = connection.prepareStatement(
                "DELETE FROM group_requirements_version WHERE group_id = ?::uuid AND version = 1")) {
            delete.setString(1, group);
            assertThat(delete.executeUpdate()).isEqualTo(1);
        }
        as(console).get("/api/v1/tenants/{t}/device-groups/{g}/requirements/changes?since=1", tenant, group)
                .then().statusCode(410).body("type", equalTo("urn:trustfleet:problem:gone"));
        assertThat(changes(group, 0).getList("added.sha256")).containsExactly(ROOT_B.sha256());
    }

    @Test
    void everyOwnershipSettingIsAcceptedAndTheOldOnesStillWork() throws Exception {
        for (String mode : List.of("FULLY_MANAGED", "DEDICATED", "CORPORATE_OWNED_WORK_PROFILE", "WORK_PROFILE",
                "AOSP")) {
            String group = group("Mode " + mode, mode, ROOT_A);
            as(admin).get("/api/v1/tenants/{t}/device-groups/{g}", tenant, group).then().statusCode(200)
                    .body("managementMode", equalTo(mode));
            JsonNode profiles = JSON.readTree(export(admin, group, "intune-graph").asString());
            VendorModels.graphProfile(profiles.get(0));
        }
        Contract.invalidRequest().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "bad", "minApiLevel", LEVEL, "maxApiLevel", LEVEL, "managementMode", "KIOSK"))
                .post("/api/v1/tenants/{t}/device-groups", tenant).then().statusCode(400)
                .body("detail", containsString("CORPORATE_OWNED_WORK_PROFILE"));
    }

    private ObjectNode listed(String id, Cert cert, String... entraGroups) {
        ObjectNode profile = IntuneProfiles.profile(cert.cert(), IntuneProfileType.DEVICE_OWNER, 1);
        profile.put("id", id);
        ArrayNode assignments = profile.putArray("assignments");
        for (String g : entraGroups) {
            ObjectNode a = assignments.addObject();
            a.put("id", id + "-" + g);
            a.putObject("target").put("@odata.type", "#microsoft.graph.groupAssignmentTarget").put("groupId", g);
        }
        return profile;
    }

    private JsonPath changes(String group, long since) {
        return as(console).get("/api/v1/tenants/{t}/device-groups/{g}/requirements/changes?since=" + since, tenant,
                group).then().statusCode(200).extract().jsonPath();
    }

    private String group(String name, String mode, Cert... include) {
        return as(admin).contentType(ContentType.JSON).body(body(name, mode, include))
                .post("/api/v1/tenants/{t}/device-groups", tenant).then().statusCode(201).extract().path("id");
    }

    private void replace(String group, String name, String mode, Cert... include) {
        as(admin).contentType(ContentType.JSON).body(body(name, mode, include))
                .put("/api/v1/tenants/{t}/device-groups/{g}", tenant, group).then().statusCode(200);
    }

    private static Map<String, Object> body(String name, String mode, Cert... include) {
        return Map.of("name", name, "minApiLevel", LEVEL, "maxApiLevel", LEVEL, "managementMode", mode,
                "include", Stream.of(include).map(Cert::sha256).toList());
    }

    private ExtractableResponse<Response> export(String token, String group, String format) {
        String sha = format.equals("der") ? "&sha256=" + ROOT_A.sha256() : "";
        return as(token).get("/api/v1/tenants/{t}/device-groups/{g}/payload-definition?format=" + format + sha,
                tenant, group).then().statusCode(200).extract();
    }

    private static String b64(Cert cert) throws Exception {
        return java.util.Base64.getEncoder().encodeToString(cert.cert().getEncoded());
    }
}
