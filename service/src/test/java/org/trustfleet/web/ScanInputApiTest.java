package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.asOperator;
import static org.trustfleet.testing.Contract.invalidRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * Bad input to the scanner's API (endpoints, trust stores, anchors, scan history): each a 400-class problem
 * document that says what is wrong, and nothing half-stored afterwards.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class ScanInputApiTest {
    private static final TestPki.Cert ROOT = TestPki.root("Input Test Root");
    private static final TestPki.Cert INTERMEDIATE = ROOT.issueIntermediate("Input Test CA");
    private static final TestPki.Cert LEAF = INTERMEDIATE.issueLeaf("sts.input.test");

    private String tenant;
    private String admin;

    @BeforeEach
    void tenant() {
        String[] t = ApiFixtures.tenantWithAdmin("scan-input");
        tenant = t[0];
        admin = t[1];
    }

    // --- endpoints

    /**
     * Bad endpoint bodies. Those that break the contract's own schema ({@code breaksSchema}) are sent as deliberately
     * invalid requests: only the response is held to the contract.
     */
    static Stream<Arguments> badEndpoints() {
        Map<String, Object> noPort = new HashMap<>(endpoint("sts", Map.of()));
        noPort.remove("port");
        return Stream.of(
                Arguments.of("host with spaces", endpoint("sts", Map.of("host", "sts contoso.com")), false,
                        "validation", "'host' is not a valid host name"),
                Arguments.of("host with an empty label", endpoint("sts", Map.of("host", "sts..contoso.com")), false,
                        "validation", "'host' is not a valid host name"),
                Arguments.of("host of 300 characters", endpoint("sts", Map.of("host", "a".repeat(300))), false,
                        "validation", "'host' must be at most 253"),
                Arguments.of("blank host", endpoint("sts", Map.of("host", "  ")), false, "validation",
                        "'host' is required"),
                Arguments.of("serverName with a path", endpoint("sts", Map.of("serverName", "sts.contoso.com/x")),
                        false, "validation", "'serverName' is not a valid host name"),
                Arguments.of("port 0", endpoint("sts", Map.of("port", 0)), true, "validation",
                        "'port' must be between 1 and 65535"),
                Arguments.of("port 70000", endpoint("sts", Map.of("port", 70000)), true, "validation",
                        "'port' must be between 1 and 65535"),
                Arguments.of("port missing", noPort, true, "validation", "'port' is required"),
                Arguments.of("port as a word", endpoint("sts", Map.of("port", "https")), true, "malformed-request",
                        "field 'port'"),
                Arguments.of("scanIntervalMinutes 0", endpoint("sts", Map.of("scanIntervalMinutes", 0)), true,
                        "validation", "'scanIntervalMinutes' must be between 1 and 10080"),
                Arguments.of("unknown field", endpoint("sts", Map.of("colour", "red")), true, "malformed-request",
                        "unknown field 'colour'"),
                Arguments.of("unknown protocol", endpoint("sts", Map.of("protocol", "smtps")), true, "validation",
                        "'protocol' must be one of tls, smtp-starttls, imap-starttls, pop3-starttls"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badEndpoints")
    void badEndpointIsRefusedAndNotStored(String name, Map<String, Object> body, boolean breaksSchema, String kind,
            String detail) {
        RequestSpecification request = breaksSchema ? invalidRequest().auth().oauth2(admin) : as(admin);
        assertProblem(request.contentType(ContentType.JSON).body(body)
                .post("/api/v1/tenants/{t}/endpoints", tenant).then(), 400, kind, detail);
        assertNoEndpoints();
    }

    @Test
    void badReplacementLeavesTheEndpointAsItWas() {
        String id = createEndpoint("sts");
        String before = as(admin).get("/api/v1/tenants/{t}/endpoints/{e}", tenant, id).then().statusCode(200)
                .extract().asString();
        assertProblem(as(admin).contentType(ContentType.JSON).body(endpoint("renamed", Map.of("host", "a b")))
                .put("/api/v1/tenants/{t}/endpoints/{e}", tenant, id).then(), 400, "validation", "'host'");
        assertThat(as(admin).get("/api/v1/tenants/{t}/endpoints/{e}", tenant, id).then().statusCode(200)
                .extract().asString()).isEqualTo(before);
    }

    @Test
    void duplicateEndpointNameIsAConflict() {
        createEndpoint("Login");
        assertProblem(as(admin).contentType(ContentType.JSON).body(endpoint("login", Map.of("port", 8443)))
                .post("/api/v1/tenants/{t}/endpoints", tenant).then(), 409, "conflict", "'login' already exists");
        as(admin).get("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(200)
                .body("size()", equalTo(1)).body("[0].port", equalTo(443));
        // renaming another endpoint onto the name clashes as well
        String other = createEndpoint("autodiscover");
        assertProblem(as(admin).contentType(ContentType.JSON).body(endpoint("LOGIN", Map.of()))
                .put("/api/v1/tenants/{t}/endpoints/{e}", tenant, other).then(), 409, "conflict", "already exists");
        as(admin).get("/api/v1/tenants/{t}/endpoints/{e}", tenant, other).then().statusCode(200)
                .body("name", equalTo("autodiscover"));
    }

    // --- scan history

    @Test
    void badHistoryLimitIsRefused() {
        String id = createEndpoint("sts");
        assertProblem(invalidRequest().auth().oauth2(admin).get("/api/v1/tenants/{t}/endpoints/{e}/scans?limit=0",
                tenant, id).then(), 400, "validation", "'limit' must be between 1 and 200");
        assertProblem(invalidRequest().auth().oauth2(admin).get(
                "/api/v1/tenants/{t}/endpoints/{e}/scans?limit=201", tenant, id).then(), 400, "validation",
                "'limit' must be between 1 and 200");
        assertProblem(invalidRequest().auth().oauth2(admin).get(
                "/api/v1/tenants/{t}/endpoints/{e}/scans?limit=abc", tenant, id).then(), 400, "validation",
                "'limit' must be a whole number");
        as(admin).get("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, id).then().statusCode(200)
                .body("size()", equalTo(0));
    }

    @Test
    void latestScanOfANeverScannedEndpointIsNotFound() {
        String id = createEndpoint("sts");
        assertProblem(as(admin).get("/api/v1/tenants/{t}/endpoints/{e}/scans/latest", tenant, id).then(), 404,
                "not-found", "scan");
    }

    @Test
    void scansOfAnUnknownEndpointAreNotFound() {
        String unknown = java.util.UUID.randomUUID().toString();
        assertProblem(as(admin).post("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, unknown).then(), 404,
                "not-found", "endpoint");
        assertProblem(as(admin).get("/api/v1/tenants/{t}/endpoints/{e}/scans", tenant, unknown).then(), 404,
                "not-found", "endpoint");
    }

    // --- trust stores and anchors

    @Test
    void trustStoreWithACorruptSecondBlockNamesTheBlock() {
        String pem = pem(ROOT.cert()) + corrupt(pem(INTERMEDIATE.cert()));
        assertTrustStoreRefused(pem, "block 2");
        assertAnchorRefused(pem, "block 2");
    }

    @Test
    void trustStoreOrAnchorWithALeafCertificateNamesTheBlock() {
        String pem = pem(ROOT.cert(), INTERMEDIATE.cert(), LEAF.cert());
        assertTrustStoreRefused(pem, "block 3");
        assertTrustStoreRefused(pem, "is not a CA certificate");
        assertAnchorRefused(pem, "block 3");
        assertAnchorRefused(pem(LEAF.cert()), "block 1");
    }

    @Test
    void bundleOverTheCertificateLimitIsRefused() {
        // 501 copies of one small CA certificate: about 350 KB, under the 1 MiB body limit, over 500 certificates
        String pem = pem(Collections.nCopies(501, ROOT.cert()).toArray(X509Certificate[]::new));
        assertThat(pem.length()).isLessThan(1_000_000);
        assertTrustStoreRefused(pem, "more than 500 certificates");
        assertAnchorRefused(pem, "more than 500 certificates");
        // exactly at the limit is accepted (and is one anchor: the same certificate 500 times)
        as(admin).contentType(ContentType.JSON)
                .body(Map.of("pem", pem(Collections.nCopies(500, ROOT.cert()).toArray(X509Certificate[]::new))))
                .post("/api/v1/tenants/{t}/anchors", tenant).then().statusCode(201);
        as(admin).get("/api/v1/tenants/{t}/anchors", tenant).then().statusCode(200).body("size()", equalTo(1));
    }

    @Test
    void bundleOverTheBodyLimitIsTooLarge() {
        // the PEM byte limit (1 MiB) cannot be reached below the API body limit (1 MiB): the body limit answers
        StringBuilder pem = new StringBuilder();
        while (pem.length() < 1_100_000) {
            pem.append(pem(ROOT.cert()));
        }
        List<String> storesBefore = storeNames();
        assertProblem(invalidRequest().auth().oauth2(EmbeddedPostgresResource.OPERATOR_TOKEN)
                .contentType(ContentType.JSON).body(store(pem.toString()))
                .post("/api/v1/trust-stores").then(), 413, "payload-too-large", "exceeds the limit");
        assertProblem(invalidRequest().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("pem", pem.toString())).post("/api/v1/tenants/{t}/anchors", tenant).then(), 413,
                "payload-too-large", "exceeds the limit");
        assertThat(storeNames()).isEqualTo(storesBefore);
        assertNoAnchors();
    }

    @Test
    void anchorThatIsNotPemIsRefused() {
        assertAnchorRefused("not a certificate", "unrecognised format");
        assertAnchorRefused("-----BEGIN CERTIFICATE-----\nAAAA\n", "block 1");
        assertAnchorRefused("", "'pem' is required");
    }

    // --- helpers

    private void assertTrustStoreRefused(String pem, String detail) {
        List<String> before = storeNames();
        assertProblem(asOperator().contentType(ContentType.JSON).body(store(pem)).post("/api/v1/trust-stores")
                .then(), 400, "validation", detail);
        assertThat(storeNames()).as("stores after a refused upload").isEqualTo(before);
    }

    private void assertAnchorRefused(String pem, String detail) {
        assertProblem(as(admin).contentType(ContentType.JSON).body(Map.of("pem", pem, "note", "bad"))
                .post("/api/v1/tenants/{t}/anchors", tenant).then(), 400, "validation", detail);
        assertNoAnchors();
    }

    private void assertNoAnchors() {
        as(admin).get("/api/v1/tenants/{t}/anchors", tenant).then().statusCode(200).body("size()", equalTo(0));
    }

    private void assertNoEndpoints() {
        as(admin).get("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(200).body("size()", equalTo(0));
    }

    private static List<String> storeNames() {
        return asOperator().get("/api/v1/trust-stores").then().statusCode(200).extract()
                .jsonPath().getList("collect { it.name + ':' + it.certificateCount + ':' + it.effective }");
    }

    private static Map<String, Object> store(String pem) {
        return Map.of("name", "input-test-refused", "platform", "android", "apiLevel", 99, "pem", pem);
    }

    private String createEndpoint(String name) {
        return as(admin).contentType(ContentType.JSON).body(endpoint(name, Map.of()))
                .post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201).extract().path("id");
    }

    private static Map<String, Object> endpoint(String name, Map<String, Object> change) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("host", "sts.contoso.com");
        body.put("port", 443);
        body.put("serverName", "sts.contoso.com");
        body.put("scanIntervalMinutes", 60);
        body.putAll(change);
        return body;
    }

    private static String pem(X509Certificate... certificates) {
        return CertificateEncoder.toPem(List.of(certificates));
    }

    /** Flips characters inside the base64 body so the block decodes but is no certificate. */
    private static String corrupt(String pem) {
        String[] lines = pem.split("\n");
        lines[2] = "AAAA" + lines[2].substring(4);
        lines[1] = "MIIBAAAA" + lines[1].substring(8);
        return String.join("\n", lines) + "\n";
    }

    private static ValidatableResponse assertProblem(ValidatableResponse response, int status, String kind,
            String detail) {
        return response.statusCode(status).contentType("application/problem+json")
                .body("type", equalTo("urn:trustfleet:problem:" + kind))
                .body("status", equalTo(status))
                .body("detail", allOf(containsString(detail)));
    }
}
