package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.oneOf;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.asOperator;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.CertificateParser;
import org.trustfleet.pki.Sha256;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.testing.StaticHttpServer;

/** Console exports of a group's set, each format parsed back to the same certificates. */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class PayloadDefinitionApiTest {
    static final String HOST = "autodiscover.contoso.test";
    static final Cert OLD_ROOT = TestPki.root("Export Old Root");
    static final Cert NEW_ROOT = TestPki.root("Export New Root");

    private StaticHttpServer aia;
    private TestTlsServer serverA;
    private TestTlsServer serverB;
    private String tenant;
    private String admin;
    private String console;
    private List<String> expected;

    @BeforeEach
    void setUp() throws Exception {
        asOperator().contentType(ContentType.JSON).body(Map.of("name", "export-api-82", "platform", "android",
                        "apiLevel", 82, "pem", CertificateEncoder.toPem(List.of(OLD_ROOT.cert()))))
                .post("/api/v1/trust-stores").then().statusCode(oneOf(200, 201));
        aia = StaticHttpServer.start();
        String[] t = ApiFixtures.tenantWithAdmin("export");
        tenant = t[0];
        admin = t[1];
        console = ApiFixtures.issueKey(tenant, "console");
        Cert intA = OLD_ROOT.issueIntermediate("Export Issuing CA");
        Cert leafA = intA.leaf(HOST).aia(aia.serve("/a.cer", intA.cert().getEncoded())).build();
        serverA = TestTlsServer.tls(TestPki.certs(leafA), leafA.keyPair().getPrivate());
        Cert intB = NEW_ROOT.issueIntermediate("Export New CA");
        Cert leafB = intB.issueLeaf(HOST);
        serverB = TestTlsServer.tls(TestPki.certs(leafB, intB), leafB.keyPair().getPrivate());
        for (TestTlsServer server : List.of(serverA, serverB)) {
            String endpoint = as(admin).contentType(ContentType.JSON).body(Map.of("name", "e" + server.port(),
                            "host", "127.0.0.1", "port", server.port(), "serverName", HOST))
                    .post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201).extract().path("id");
            as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, endpoint).then().statusCode(201);
        }
        // the new root is in no store and no anchor, so nothing can know it: its sent intermediate is delivered
        // instead (an installed CA is an anchor in its own right); both are intermediates, ordered by fingerprint
        expected = java.util.stream.Stream.of(intA.sha256(), intB.sha256()).sorted().toList();
    }

    @AfterEach
    void tearDown() throws Exception {
        serverA.close();
        serverB.close();
        aia.close();
    }

    @Test
    void amapiOncListsAuthorityCertificatesWithStableGuids() {
        String group = group("Field phones", "FULLY_MANAGED");
        JsonPath onc = new JsonPath(export(console, group, "amapi-onc").asString());
        assertThat(onc.getString("openNetworkConfiguration.Type")).isEqualTo("UnencryptedConfiguration");
        assertThat(onc.getList("openNetworkConfiguration.Certificates.Type")).containsOnly("Authority");
        List<String> der = onc.getList("openNetworkConfiguration.Certificates.X509");
        assertThat(der.stream().map(b -> Sha256.hex(Base64.getDecoder().decode(b))).toList())
                .containsExactlyElementsOf(expected);
        assertThat(onc.getList("openNetworkConfiguration.Certificates.GUID"))
                .containsExactlyElementsOf(expected.stream().map(s -> "trustfleet-" + s).toList());
    }

    @Test
    void intuneProfileTypeFollowsTheManagementMode() {
        JsonPath owner = new JsonPath(export(admin, group("Kiosks", "FULLY_MANAGED"), "intune-graph").asString());
        assertThat(owner.getList("'@odata.type'")).containsOnly(
                "#microsoft.graph.androidDeviceOwnerTrustedRootCertificate");
        List<String> der = owner.getList("trustedRootCertificate");
        assertThat(der.stream().map(b -> Sha256.hex(Base64.getDecoder().decode(b))).toList())
                .containsExactlyElementsOf(expected);
        JsonPath profile = new JsonPath(export(admin, group("BYOD", "WORK_PROFILE"), "intune-graph").asString());
        assertThat(profile.getList("'@odata.type'")).containsOnly(
                "#microsoft.graph.androidWorkProfileTrustedRootCertificate");
        assertThat(profile.getString("[0].certFileName")).isEqualTo(expected.get(0).substring(0, 16) + ".cer");
    }

    @Test
    void pemAndPkcs7CarryTheSetAndOpensslReadsThePkcs7() throws Exception {
        String group = group("Bundle", "FULLY_MANAGED");
        ExtractableResponse<Response> pem = export(admin, group, "pem");
        assertThat(pem.contentType()).startsWith("application/x-pem-file");
        assertThat(pem.header("Content-Disposition")).contains("trustfleet-bundle.pem");
        assertThat(shas(CertificateParser.parse(pem.asByteArray()))).containsExactlyElementsOf(expected);

        byte[] p7 = export(admin, group, "pkcs7").asByteArray();
        assertThat(shas(CertificateParser.parse(p7))).containsExactlyElementsOf(expected);
        Path file = Files.createTempFile("export", ".p7b");
        Files.write(file, p7);
        Process openssl = new ProcessBuilder("openssl", "pkcs7", "-inform", "DER", "-in", file.toString(),
                "-print_certs", "-noout").redirectErrorStream(true).start();
        String out = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(openssl.waitFor()).as(out).isZero();
        assertThat(out).contains("Export New CA").contains("Export Issuing CA");
    }

    @Test
    void derNeedsOneCertificate() {
        String group = group("Single", "FULLY_MANAGED");
        as(admin).get("/api/v1/tenants/{t}/device-groups/{g}/payload-definition?format=der", tenant, group)
                .then().statusCode(400).body("type", equalTo("urn:trustfleet:problem:validation"));
        byte[] der = as(admin).get("/api/v1/tenants/{t}/device-groups/{g}/payload-definition?format=der&sha256="
                + expected.get(1), tenant, group).then().statusCode(200).contentType("application/pkix-cert")
                .extract().asByteArray();
        assertThat(Sha256.hex(der)).isEqualTo(expected.get(1));
        as(admin).get("/api/v1/tenants/{t}/device-groups/{g}/payload-definition?format=der&sha256="
                + "0".repeat(64), tenant, group).then().statusCode(404);
    }

    @Test
    void unknownFormatIsAValidationProblem() {
        org.trustfleet.testing.Contract.invalidRequest().auth().oauth2(admin)
                .get("/api/v1/tenants/{t}/device-groups/{g}/payload-definition?format=mobileconfig", tenant,
                        group("Any", "FULLY_MANAGED"))
                .then().statusCode(400).body("detail", org.hamcrest.Matchers.containsString("amapi-onc"));
    }

    private String group(String name, String mode) {
        return as(admin).contentType(ContentType.JSON).body(Map.of("name", name, "minApiLevel", 82,
                        "maxApiLevel", 82, "managementMode", mode))
                .post("/api/v1/tenants/{t}/device-groups", tenant).then().statusCode(201).extract().path("id");
    }

    private ExtractableResponse<Response> export(String token, String group, String format) {
        return as(token).get("/api/v1/tenants/{t}/device-groups/{g}/payload-definition?format=" + format, tenant,
                group).then().statusCode(200).header("X-Trustfleet-Requirements-Version", equalTo("1")).extract();
    }

    private static List<String> shas(List<X509Certificate> certificates) {
        return certificates.stream().map(Sha256::of).toList();
    }
}
