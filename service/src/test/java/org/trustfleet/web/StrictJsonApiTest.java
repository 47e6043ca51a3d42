package org.trustfleet.web;

import static org.hamcrest.Matchers.equalTo;
import static org.trustfleet.testing.Contract.invalidRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.util.List;
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
 * Every JSON body of the API is read as {@code openapi.yaml} types it: a quoted or fractional number is not an
 * integer, a number or boolean is not a string, a key appears once, nothing follows the value. Each is a 400
 * {@code malformed-request}; nothing is created.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class StrictJsonApiTest {
    private static final String ROOT_PEM = json(CertificateEncoder.toPem(List.of(TestPki.root("Strict Root").cert())));

    enum Target {
        TENANT, API_KEY, TRUST_STORE, ENDPOINT, DEVICE_GROUP, ENROLLMENT_TOKEN, ANCHOR, CHAIN_CHECK, ENROLL,
        DEVICE_REPORT
    }

    private static String tenant;
    private static String admin;
    private static String group;
    private static String enrollmentToken;
    private static String deviceToken;

    @BeforeEach
    void setUp() {
        if (tenant == null) {
            String[] t = ApiFixtures.tenantWithAdmin("strict-json");
            tenant = t[0];
            admin = t[1];
            group = DeviceFixtures.group(tenant, admin, "strict", List.of());
            enrollmentToken = DeviceFixtures.enrollmentToken(tenant, admin, group, 5);
            deviceToken = DeviceFixtures.device(tenant, admin, group).token();
        }
    }

    static Stream<Arguments> bodies() {
        return Stream.of(
                // a string is a JSON string
                Arguments.of(Target.TENANT, "{\"name\": 5}"),
                Arguments.of(Target.TENANT, "{\"name\": true}"),
                Arguments.of(Target.TENANT, "{\"name\": 5.5}"),
                // nothing after the value; a key once
                Arguments.of(Target.TENANT, "{\"name\": \"strict-trailing\"} x"),
                Arguments.of(Target.TENANT, "{\"name\": \"strict-a\"}{\"name\": \"strict-b\"}"),
                Arguments.of(Target.TENANT, "{\"name\": \"strict-a\"},"),
                Arguments.of(Target.TENANT, "{\"name\": \"strict-a\", \"name\": \"strict-b\"}"),
                Arguments.of(Target.API_KEY, "{\"name\": 7, \"role\": \"admin\"}"),
                Arguments.of(Target.API_KEY, "{\"name\": \"k\", \"role\": true}"),
                Arguments.of(Target.TRUST_STORE, "{\"name\": \"strict\", \"platform\": \"android\", \"apiLevel\": \"34\", "
                        + "\"pem\": " + ROOT_PEM + "}"),
                Arguments.of(Target.TRUST_STORE, "{\"name\": \"strict\", \"platform\": \"android\", \"apiLevel\": 34.5, "
                        + "\"pem\": " + ROOT_PEM + "}"),
                // an integer is a JSON integer
                Arguments.of(Target.ENDPOINT, "{\"name\": \"e1\", \"host\": \"sts.contoso.com\", \"port\": \"443\"}"),
                Arguments.of(Target.ENDPOINT, "{\"name\": \"e2\", \"host\": \"sts.contoso.com\", \"port\": 443.7}"),
                Arguments.of(Target.ENDPOINT, "{\"name\": \"e3\", \"host\": \"sts.contoso.com\", \"port\": 443.0}"),
                Arguments.of(Target.ENDPOINT, "{\"name\": \"e4\", \"host\": \"sts.contoso.com\", \"port\": 443, "
                        + "\"scanIntervalMinutes\": 2.5}"),
                Arguments.of(Target.ENDPOINT, "{\"name\": \"e5\", \"host\": \"sts.contoso.com\", \"port\": 443, "
                        + "\"scanIntervalMinutes\": \"60\"}"),
                Arguments.of(Target.ENDPOINT, "{\"name\": \"e6\", \"host\": 1, \"port\": 443}"),
                Arguments.of(Target.ENDPOINT, "{\"name\": 6, \"host\": \"sts.contoso.com\", \"port\": 443}"),
                Arguments.of(Target.ENDPOINT, "{\"name\": \"e7\", \"host\": \"sts.contoso.com\", \"port\": true}"),
                Arguments.of(Target.ENDPOINT, "{\"name\": \"e8\", \"host\": \"sts.contoso.com\", \"port\": \"\"}"),
                Arguments.of(Target.ENDPOINT, "{\"name\": \"e9\", \"host\": \"sts.contoso.com\", \"port\": 443} ]"),
                Arguments.of(Target.DEVICE_GROUP, "{\"name\": \"g1\", \"minApiLevel\": \"23\", \"maxApiLevel\": 34}"),
                Arguments.of(Target.DEVICE_GROUP, "{\"name\": \"g2\", \"minApiLevel\": 23, \"maxApiLevel\": 34.5}"),
                Arguments.of(Target.DEVICE_GROUP, "{\"name\": false, \"minApiLevel\": 23, \"maxApiLevel\": 34}"),
                Arguments.of(Target.ENROLLMENT_TOKEN, "{\"deviceGroupId\": \"{g}\", \"expiresInSeconds\": \"3600\", "
                        + "\"maxUses\": 1}"),
                Arguments.of(Target.ENROLLMENT_TOKEN, "{\"deviceGroupId\": \"{g}\", \"expiresInSeconds\": 3600, "
                        + "\"maxUses\": 1.5}"),
                Arguments.of(Target.ANCHOR, "{\"pem\": " + ROOT_PEM + ", \"note\": 5}"),
                Arguments.of(Target.CHAIN_CHECK, "{\"chain\": " + ROOT_PEM + ", \"serverName\": 5}"),
                Arguments.of(Target.CHAIN_CHECK, "{\"chain\": " + ROOT_PEM + "} trailing"),
                Arguments.of(Target.ENROLL, "{\"enrollmentToken\": \"{token}\", \"hardwareId\": \"hw-strict\", "
                        + "\"apiLevel\": \"95\"}"),
                Arguments.of(Target.ENROLL, "{\"enrollmentToken\": \"{token}\", \"hardwareId\": 42, \"apiLevel\": 95}"),
                Arguments.of(Target.ENROLL, "{\"enrollmentToken\": \"{token}\", \"hardwareId\": \"hw-strict\", "
                        + "\"apiLevel\": 95, \"model\": 3}"),
                Arguments.of(Target.DEVICE_REPORT, "{\"payloadVersion\": \"1\", \"installed\": [], \"apiLevel\": 95}"),
                Arguments.of(Target.DEVICE_REPORT, "{\"payloadVersion\": 1.5, \"installed\": [], \"apiLevel\": 95}"),
                Arguments.of(Target.DEVICE_REPORT, "{\"payloadVersion\": 1, \"installed\": [], \"apiLevel\": 95.0}"),
                Arguments.of(Target.DEVICE_REPORT, "{\"payloadVersion\": 1, \"installed\": [1], \"apiLevel\": 95}"),
                Arguments.of(Target.DEVICE_REPORT, "{\"payloadVersion\": 1, \"installed\": [], \"apiLevel\": 95, "
                        + "\"failures\": [{\"sha256\": \"" + "b".repeat(64) + "\", \"error\": false}]}"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("bodies")
    void aBodyThatBreaksItsSchemaIsAMalformedRequest(Target target, String body) {
        send(target, body).statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("urn:trustfleet:problem:malformed-request"));
    }

    @Test
    void whitespaceAfterTheValueIsNotGarbage() {
        send(Target.TENANT, "{\"name\": \"strict-whitespace-" + System.nanoTime() + "\"} \r\n\t ").statusCode(201);
    }

    private static ValidatableResponse send(Target target, String body) {
        String token = switch (target) {
            case TENANT, TRUST_STORE -> org.trustfleet.testing.EmbeddedPostgresResource.OPERATOR_TOKEN;
            case ENROLL -> null;
            case DEVICE_REPORT -> deviceToken;
            default -> admin;
        };
        RequestSpecification request = token == null ? invalidRequest() : invalidRequest().auth().oauth2(token);
        request = request.contentType(ContentType.JSON)
                .body(body.replace("{g}", group).replace("{token}", enrollmentToken));
        return (switch (target) {
            case TENANT -> request.post("/api/v1/tenants");
            case API_KEY -> request.post("/api/v1/tenants/{t}/api-keys", tenant);
            case TRUST_STORE -> request.post("/api/v1/trust-stores");
            case ENDPOINT -> request.post("/api/v1/tenants/{t}/endpoints", tenant);
            case DEVICE_GROUP -> request.post("/api/v1/tenants/{t}/device-groups", tenant);
            case ENROLLMENT_TOKEN -> request.post("/api/v1/tenants/{t}/enrollment-tokens", tenant);
            case ANCHOR -> request.post("/api/v1/tenants/{t}/anchors", tenant);
            case CHAIN_CHECK -> request.post("/api/v1/tenants/{t}/chain-checks", tenant);
            case ENROLL -> request.post("/api/v1/enroll");
            case DEVICE_REPORT -> request.post("/api/v1/device/reports");
        }).then();
    }

    /** {@code text} as a JSON string literal. */
    private static String json(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r")
                + "\"";
    }
}
