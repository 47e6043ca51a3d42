package org.trustfleet.web;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.trustfleet.testing.Contract.invalidRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * Every field with a declarative constraint (the Bean Validation annotations of the input records and service
 * parameters), each broken one way at a time: too long, blank, out of range or missing gives the {@code validation}
 * problem naming the field, in the same wording as the hand-written checks it replaced, and never echoing the value.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class InputConstraintsApiTest {
    /** Marks a field to leave out of the body. */
    private static final Object ABSENT = new Object();

    /** Where a body goes, and who may send it. */
    enum Target {
        TENANT, API_KEY, TRUST_STORE, ENDPOINT, DEVICE_GROUP, ENROLLMENT_TOKEN, ENROLL, DEVICE_REPORT
    }

    private static String tenant;
    private static String admin;
    private static String group;
    private static String enrollmentToken;
    private static String deviceToken;

    @BeforeEach
    void setUp() {
        if (tenant == null) {
            String[] t = ApiFixtures.tenantWithAdmin("constraints");
            tenant = t[0];
            admin = t[1];
            group = DeviceFixtures.group(tenant, admin, "constraints", List.of());
            enrollmentToken = DeviceFixtures.enrollmentToken(tenant, admin, group, 5);
            deviceToken = DeviceFixtures.device(tenant, admin, group).token();
        }
    }

    static Stream<Arguments> brokenFields() {
        return Stream.of(
                // tenants: POST /tenants {name}
                broken(Target.TENANT, "name", "  ", "'name' is required and must not be blank"),
                broken(Target.TENANT, "name", ABSENT, "'name' is required and must not be blank"),
                broken(Target.TENANT, "name", "n".repeat(201), "'name' must be at most 200 characters"),
                // API keys
                broken(Target.API_KEY, "name", "", "'name' is required and must not be blank"),
                broken(Target.API_KEY, "name", "n".repeat(201), "'name' must be at most 200 characters"),
                // operator trust stores
                broken(Target.TRUST_STORE, "name", " ", "'name' is required and must not be blank"),
                broken(Target.TRUST_STORE, "name", "n".repeat(101), "'name' must be at most 100 characters"),
                broken(Target.TRUST_STORE, "apiLevel", ABSENT, "'apiLevel' is required"),
                broken(Target.TRUST_STORE, "apiLevel", 0, "'apiLevel' must be between 1 and 100"),
                broken(Target.TRUST_STORE, "apiLevel", 101, "'apiLevel' must be between 1 and 100"),
                // endpoints
                broken(Target.ENDPOINT, "name", "", "'name' is required and must not be blank"),
                broken(Target.ENDPOINT, "name", ABSENT, "'name' is required and must not be blank"),
                broken(Target.ENDPOINT, "name", "n".repeat(201), "'name' must be at most 200 characters"),
                broken(Target.ENDPOINT, "host", ABSENT, "'host' is required and must not be blank"),
                broken(Target.ENDPOINT, "host", "h".repeat(254), "'host' must be at most 253 characters"),
                broken(Target.ENDPOINT, "port", ABSENT, "'port' is required"),
                broken(Target.ENDPOINT, "port", 0, "'port' must be between 1 and 65535"),
                broken(Target.ENDPOINT, "port", 65536, "'port' must be between 1 and 65535"),
                broken(Target.ENDPOINT, "serverName", "s".repeat(254), "'serverName' must be at most 253 characters"),
                broken(Target.ENDPOINT, "scanIntervalMinutes", 0, "'scanIntervalMinutes' must be between 1 and 10080"),
                broken(Target.ENDPOINT, "scanIntervalMinutes", 10081,
                        "'scanIntervalMinutes' must be between 1 and 10080"),
                // device groups
                broken(Target.DEVICE_GROUP, "name", "\t", "'name' is required and must not be blank"),
                broken(Target.DEVICE_GROUP, "name", "n".repeat(201), "'name' must be at most 200 characters"),
                broken(Target.DEVICE_GROUP, "minApiLevel", ABSENT, "'minApiLevel' is required"),
                broken(Target.DEVICE_GROUP, "minApiLevel", 0, "'minApiLevel' must be between 1 and 100"),
                broken(Target.DEVICE_GROUP, "maxApiLevel", ABSENT, "'maxApiLevel' is required"),
                broken(Target.DEVICE_GROUP, "maxApiLevel", 101, "'maxApiLevel' must be between 1 and 100"),
                // enrollment tokens
                broken(Target.ENROLLMENT_TOKEN, "deviceGroupId", ABSENT, "'deviceGroupId' is required"),
                broken(Target.ENROLLMENT_TOKEN, "expiresInSeconds", ABSENT, "'expiresInSeconds' is required"),
                broken(Target.ENROLLMENT_TOKEN, "expiresInSeconds", 59,
                        "'expiresInSeconds' must be between 60 and 31536000"),
                broken(Target.ENROLLMENT_TOKEN, "expiresInSeconds", 31_536_001,
                        "'expiresInSeconds' must be between 60 and 31536000"),
                broken(Target.ENROLLMENT_TOKEN, "maxUses", ABSENT, "'maxUses' is required"),
                broken(Target.ENROLLMENT_TOKEN, "maxUses", 0, "'maxUses' must be between 1 and 100000"),
                broken(Target.ENROLLMENT_TOKEN, "maxUses", 100_001, "'maxUses' must be between 1 and 100000"),
                // enrollment, by an agent
                broken(Target.ENROLL, "enrollmentToken", " ", "'enrollmentToken' is required and must not be blank"),
                broken(Target.ENROLL, "enrollmentToken", "t".repeat(201),
                        "'enrollmentToken' must be at most 200 characters"),
                broken(Target.ENROLL, "hardwareId", ABSENT, "'hardwareId' is required and must not be blank"),
                broken(Target.ENROLL, "hardwareId", "h".repeat(201), "'hardwareId' must be at most 200 characters"),
                broken(Target.ENROLL, "apiLevel", ABSENT, "'apiLevel' is required"),
                broken(Target.ENROLL, "apiLevel", 0, "'apiLevel' must be between 1 and 100"),
                broken(Target.ENROLL, "apiLevel", 101, "'apiLevel' must be between 1 and 100"),
                broken(Target.ENROLL, "model", "m".repeat(201), "'model' must be at most 200 characters"),
                broken(Target.ENROLL, "agentVersion", "v".repeat(201),
                        "'agentVersion' must be at most 200 characters"),
                // device reports, by a device
                broken(Target.DEVICE_REPORT, "payloadVersion", ABSENT, "'payloadVersion' is required"),
                broken(Target.DEVICE_REPORT, "payloadVersion", -1, "'payloadVersion' must not be negative"),
                broken(Target.DEVICE_REPORT, "installed", ABSENT, "'installed' is required"),
                broken(Target.DEVICE_REPORT, "installed", Collections.nCopies(1001, "a".repeat(64)),
                        "'installed' must have at most 1000 entries"),
                broken(Target.DEVICE_REPORT, "failures", Collections.nCopies(1001, failure("boom")),
                        "'failures' must have at most 1000 entries"),
                broken(Target.DEVICE_REPORT, "failures", Collections.singletonList(null),
                        "'failures' must not contain null"),
                broken(Target.DEVICE_REPORT, "failures", List.of(failure(" ")),
                        "'failures.error' is required and must not be blank"),
                broken(Target.DEVICE_REPORT, "failures", List.of(failure("e".repeat(501))),
                        "'failures.error' must be at most 500 characters"),
                broken(Target.DEVICE_REPORT, "apiLevel", ABSENT, "'apiLevel' is required"),
                broken(Target.DEVICE_REPORT, "apiLevel", 0, "'apiLevel' must be between 1 and 100"),
                broken(Target.DEVICE_REPORT, "apiLevel", 101, "'apiLevel' must be between 1 and 100"));
    }

    @ParameterizedTest(name = "{0} {1} = {3}")
    @MethodSource("brokenFields")
    void eachBrokenFieldIsAValidationProblemNamingIt(Target target, String field, Object value, String shown,
            String detail) {
        Map<String, Object> body = validBody(target);
        if (value == ABSENT) {
            body.remove(field);
        } else {
            body.put(field, value);
        }
        ValidatableResponse response = send(target, body);
        assertValidationProblem(response, detail);
        if (value instanceof String text && text.length() > 100) {
            response.body("detail", not(Matchers.containsString(text)));
        }
    }

    static Stream<Arguments> brokenLimits() {
        return Stream.of(
                Arguments.of("/api/v1/tenants/{t}/devices", "0", "'limit' must be between 1 and 1000"),
                Arguments.of("/api/v1/tenants/{t}/devices", "1001", "'limit' must be between 1 and 1000"),
                Arguments.of("/api/v1/tenants/{t}/enrollment-tokens", "0", "'limit' must be between 1 and 1000"),
                Arguments.of("/api/v1/tenants/{t}/enrollment-tokens", "1001", "'limit' must be between 1 and 1000"),
                Arguments.of("/api/v1/tenants/{t}/endpoints", "0", "'limit' must be between 1 and 1000"),
                Arguments.of("/api/v1/tenants/{t}/endpoints", "1001", "'limit' must be between 1 and 1000"),
                Arguments.of("/api/v1/tenants/{t}/device-groups", "0", "'limit' must be between 1 and 1000"),
                Arguments.of("/api/v1/tenants/{t}/device-groups", "1001", "'limit' must be between 1 and 1000"));
    }

    @ParameterizedTest(name = "{0}?limit={1}")
    @MethodSource("brokenLimits")
    void limitOutOfRangeIsAValidationProblem(String path, String limit, String detail) {
        assertValidationProblem(invalidRequest().auth().oauth2(admin).queryParam("limit", limit).get(path, tenant)
                .then(), detail);
    }

    @Test
    void everyBrokenFieldIsListedInTheOrderOfTheBody() {
        ValidatableResponse response = invalidRequest().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("port", 0)).post("/api/v1/tenants/{t}/endpoints", tenant).then();
        assertValidationProblem(response, "'name' is required and must not be blank; 'host' is required and must"
                + " not be blank; 'port' must be between 1 and 65535");
        response.body("errors", contains("'name' is required and must not be blank",
                "'host' is required and must not be blank", "'port' must be between 1 and 65535"));
    }

    @Test
    void aSingleBrokenFieldHasNoErrorList() {
        Map<String, Object> body = validBody(Target.DEVICE_GROUP);
        body.put("name", "");
        send(Target.DEVICE_GROUP, body).statusCode(400).body("errors", nullValue());
    }

    private static void assertValidationProblem(ValidatableResponse response, String detail) {
        response.statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("urn:trustfleet:problem:validation"))
                .body("title", equalTo("The request is not valid"))
                .body("status", equalTo(400))
                .body("detail", equalTo(detail));
    }

    private static Arguments broken(Target target, String field, Object value, String detail) {
        String shown = value == ABSENT ? "(missing)" : value instanceof String s && s.length() > 20
                ? "'" + s.substring(0, 3) + "…' (" + s.length() + " chars)"
                : value instanceof List<?> l ? "a list of " + l.size() : "'" + value + "'";
        return Arguments.of(target, field, value, shown, detail);
    }

    private static Map<String, Object> failure(String error) {
        return Map.of("sha256", "b".repeat(64), "error", error);
    }

    /** A body that the target accepts as it is (or that fails only later, in code, after the constraints). */
    private static Map<String, Object> validBody(Target target) {
        return new HashMap<>(switch (target) {
            case TENANT -> Map.of("name", "constraints-" + UUID.randomUUID());
            case API_KEY -> Map.of("name", "a key", "role", "admin");
            case TRUST_STORE -> Map.of("name", "constraints", "platform", "android", "apiLevel", 34, "pem", "x");
            case ENDPOINT -> Map.of("name", "sts", "host", "sts.contoso.com", "port", 443);
            case DEVICE_GROUP -> Map.of("name", "g", "minApiLevel", 23, "maxApiLevel", 34);
            case ENROLLMENT_TOKEN -> Map.of("deviceGroupId", group, "expiresInSeconds", 3600, "maxUses", 1);
            case ENROLL -> Map.of("enrollmentToken", enrollmentToken, "hardwareId", "hw-constraints", "apiLevel", 95);
            case DEVICE_REPORT -> Map.of("payloadVersion", 1, "installed", new ArrayList<>(), "apiLevel", 95);
        });
    }

    private static ValidatableResponse send(Target target, Map<String, Object> body) {
        String token = switch (target) {
            case TENANT, TRUST_STORE -> EmbeddedPostgresResource.OPERATOR_TOKEN;
            case ENROLL -> null;
            case DEVICE_REPORT -> deviceToken;
            default -> admin;
        };
        var request = token == null ? invalidRequest() : invalidRequest().auth().oauth2(token);
        request = request.contentType(ContentType.JSON).body(body);
        io.restassured.response.Response response = switch (target) {
            case TENANT -> request.post("/api/v1/tenants");
            case API_KEY -> request.post("/api/v1/tenants/{t}/api-keys", tenant);
            case TRUST_STORE -> request.post("/api/v1/trust-stores");
            case ENDPOINT -> request.post("/api/v1/tenants/{t}/endpoints", tenant);
            case DEVICE_GROUP -> request.post("/api/v1/tenants/{t}/device-groups", tenant);
            case ENROLLMENT_TOKEN -> request.post("/api/v1/tenants/{t}/enrollment-tokens", tenant);
            case ENROLL -> request.post("/api/v1/enroll");
            case DEVICE_REPORT -> request.post("/api/v1/device/reports");
        };
        return response.then();
    }
}
