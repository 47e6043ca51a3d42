package org.trustfleet.web;

import static org.hamcrest.Matchers.equalTo;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.invalidRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * Control characters in text (a NUL byte, which PostgreSQL refuses with an error, an escape, a line break in a name):
 * every text field of the API and every path and query parameter answers 400 {@code validation} naming the field,
 * never 500, and nothing is stored.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class ControlCharactersApiTest {
    private static final String ROOT_PEM = CertificateEncoder.toPem(List.of(TestPki.root("Control Root").cert()));

    enum Target {
        TENANT, API_KEY, TRUST_STORE, ENDPOINT, DEVICE_GROUP, ANCHOR, ENROLL, DEVICE_REPORT
    }

    private static String tenant;
    private static String admin;
    private static String enrollmentToken;
    private static String deviceToken;

    @BeforeEach
    void setUp() {
        if (tenant == null) {
            String[] t = ApiFixtures.tenantWithAdmin("control");
            tenant = t[0];
            admin = t[1];
            String group = DeviceFixtures.group(tenant, admin, "control", List.of());
            enrollmentToken = DeviceFixtures.enrollmentToken(tenant, admin, group, 5);
            deviceToken = DeviceFixtures.device(tenant, admin, group).token();
        }
    }

    static Stream<Arguments> fields() {
        Stream.Builder<Arguments> rows = Stream.builder();
        for (String bad : List.of("a\u0000b", "\u0000", "a\u001b[31mb", "a\r\nb", "a\tb", "a\u007fb", "a\u0085b")) {
            rows.add(Arguments.of(Target.TENANT, "name", bad, "'name'"));
            rows.add(Arguments.of(Target.API_KEY, "name", bad, "'name'"));
            rows.add(Arguments.of(Target.TRUST_STORE, "name", bad, "'name'"));
            rows.add(Arguments.of(Target.ENDPOINT, "name", bad, "'name'"));
            rows.add(Arguments.of(Target.DEVICE_GROUP, "name", bad, "'name'"));
            rows.add(Arguments.of(Target.ENROLL, "hardwareId", bad, "'hardwareId'"));
            rows.add(Arguments.of(Target.ENROLL, "model", bad, "'model'"));
            rows.add(Arguments.of(Target.ENROLL, "agentVersion", bad, "'agentVersion'"));
        }
        // free text (a note, a device's error) may span lines, but holds no other control character
        for (String bad : List.of("a\u0000b", "a\u001b[31mb", "a\u0007b", "a\u007fb")) {
            rows.add(Arguments.of(Target.ANCHOR, "note", bad, "'note'"));
            rows.add(Arguments.of(Target.DEVICE_REPORT, "failures", bad, "'failures.error'"));
        }
        return rows.build();
    }

    @ParameterizedTest(name = "{0} {1} = {2}")
    @MethodSource("fields")
    void aControlCharacterInATextFieldIsAValidationProblem(Target target, String field, String value,
            String shownField) {
        Map<String, Object> body = validBody(target);
        body.put(field, target == Target.DEVICE_REPORT
                ? List.of(Map.of("sha256", "b".repeat(64), "error", value)) : value);
        send(target, body).statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("urn:trustfleet:problem:validation"))
                .body("detail", equalTo(shownField + " must not contain control characters"));
    }

    @Test
    void freeTextMaySpanLines() {
        Map<String, Object> anchor = validBody(Target.ANCHOR);
        anchor.put("note", "line one\r\nline two\twith a tab");
        send(Target.ANCHOR, anchor).statusCode(201);
        Map<String, Object> report = validBody(Target.DEVICE_REPORT);
        report.put("failures", List.of(Map.of("sha256", "b".repeat(64), "error", "install failed:\nno space")));
        send(Target.DEVICE_REPORT, report).statusCode(202);
    }

    static Stream<Arguments> paths() {
        return Stream.of(
                Arguments.of("DELETE", "/api/v1/tenants/{t}/anchors/%00"),
                Arguments.of("DELETE", "/api/v1/tenants/{t}/anchors/" + "a".repeat(63) + "%00"),
                Arguments.of("DELETE", "/api/v1/tenants/{t}/endpoints/%00"),
                Arguments.of("GET", "/api/v1/tenants/{t}/endpoints/%0d%0a"),
                Arguments.of("DELETE", "/api/v1/tenants/{t}/api-keys/%1b"),
                Arguments.of("GET", "/api/v1/tenants/{t}/device-groups/%00/requirements"),
                Arguments.of("GET", "/api/v1/tenants/%00/endpoints"),
                Arguments.of("GET", "/api/v1/tenants/{t}/devices?limit=%00"),
                Arguments.of("GET", "/api/v1/tenants/{t}/device-groups/" + UUID.randomUUID()
                        + "/payload-definition?format=pem&sha256=%00"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("paths")
    void aControlCharacterInAPathOrQueryParameterIsAValidationProblem(String method, String path) {
        RequestSpecification request = invalidRequest().auth().oauth2(admin).urlEncodingEnabled(false);
        String url = path.replace("{t}", tenant);
        ValidatableResponse response = (method.equals("DELETE") ? request.delete(url) : request.get(url)).then();
        response.statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("urn:trustfleet:problem:validation"));
    }

    @Test
    void nothingIsStoredForARefusedName() {
        Map<String, Object> body = validBody(Target.ENDPOINT);
        body.put("name", "refused\u0000");
        send(Target.ENDPOINT, body).statusCode(400);
        as(admin).get("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(200)
                .body("findAll { it.name.startsWith('refused') }.size()", equalTo(0));
    }

    private static Map<String, Object> validBody(Target target) {
        return new HashMap<>(switch (target) {
            case TENANT -> Map.of("name", "control-" + UUID.randomUUID());
            case API_KEY -> Map.of("name", "a key", "role", "admin");
            case TRUST_STORE -> Map.of("name", "control", "platform", "android", "apiLevel", 34, "pem", ROOT_PEM);
            case ENDPOINT -> Map.of("name", "sts-" + UUID.randomUUID(), "host", "sts.contoso.com", "port", 443);
            case DEVICE_GROUP -> Map.of("name", "g-" + UUID.randomUUID(), "minApiLevel", 23, "maxApiLevel", 34);
            case ANCHOR -> Map.of("pem", ROOT_PEM);
            case ENROLL -> Map.of("enrollmentToken", enrollmentToken, "hardwareId", "hw-control", "apiLevel", 95);
            case DEVICE_REPORT -> Map.of("payloadVersion", 1, "installed", List.of(), "apiLevel", 95);
        });
    }

    private static ValidatableResponse send(Target target, Map<String, Object> body) {
        String token = switch (target) {
            case TENANT, TRUST_STORE -> EmbeddedPostgresResource.OPERATOR_TOKEN;
            case ENROLL -> null;
            case DEVICE_REPORT -> deviceToken;
            default -> admin;
        };
        RequestSpecification request = token == null ? invalidRequest() : invalidRequest().auth().oauth2(token);
        request = request.contentType(ContentType.JSON).body(body);
        return (switch (target) {
            case TENANT -> request.post("/api/v1/tenants");
            case API_KEY -> request.post("/api/v1/tenants/{t}/api-keys", tenant);
            case TRUST_STORE -> request.post("/api/v1/trust-stores");
            case ENDPOINT -> request.post("/api/v1/tenants/{t}/endpoints", tenant);
            case DEVICE_GROUP -> request.post("/api/v1/tenants/{t}/device-groups", tenant);
            case ANCHOR -> request.post("/api/v1/tenants/{t}/anchors", tenant);
            case ENROLL -> request.post("/api/v1/enroll");
            case DEVICE_REPORT -> request.post("/api/v1/device/reports");
        }).then();
    }
}
