package org.trustfleet.web;

import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.trustfleet.testing.Contract.invalidRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.trustfleet.testing.EmbeddedPostgresResource;

/** Every kind of bad request gets a clear problem document with a stable type, never a stack trace. */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class ProblemApiTest {
    private static final String OP = EmbeddedPostgresResource.OPERATOR_TOKEN;

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("malformed JSON", "application/json", "{\"name\": ", 400, "malformed-request",
                        "not valid JSON"),
                Arguments.of("unknown field", "application/json", "{\"name\":\"x\",\"colour\":\"red\"}", 400,
                        "malformed-request", "unknown field 'colour'"),
                Arguments.of("wrong type", "application/json", "{\"name\":{\"a\":1}}", 400, "malformed-request",
                        "field 'name'"),
                Arguments.of("blank name", "application/json", "{\"name\":\"   \"}", 400, "validation",
                        "'name' is required"),
                Arguments.of("too long name", "application/json", "{\"name\":\"" + "x".repeat(201) + "\"}", 400,
                        "validation", "at most 200"),
                Arguments.of("empty body", "application/json", "", 400, "validation", "body is required"),
                Arguments.of("JSON array", "application/json", "[1,2]", 400, "malformed-request", "shape"),
                Arguments.of("wrong content type", "text/plain", "name=x", 415, "unsupported-media-type",
                        "application/json"),
                Arguments.of("oversized body", "application/json",
                        "{\"name\":\"" + "x".repeat(1_100_000) + "\"}", 413, "payload-too-large", "exceeds"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void badBodiesGetProblemDocuments(String name, String contentType, String body, int status, String kind,
            String detail) {
        ValidatableResponse response = invalidRequest().auth().oauth2(OP).contentType(contentType).body(body)
                .post("/api/v1/tenants").then();
        assertProblem(response, status, kind).body("detail", containsString(detail));
    }

    @org.junit.jupiter.api.Test
    void unknownPathIsAProblem() {
        assertProblem(invalidRequest().auth().oauth2(OP).get("/api/v1/no-such-thing").then(), 404, "not-found");
    }

    @org.junit.jupiter.api.Test
    void wrongMethodIsAProblem() {
        assertProblem(invalidRequest().auth().oauth2(OP).delete("/api/v1/tenants").then(), 405,
                "method-not-allowed");
    }

    @org.junit.jupiter.api.Test
    void malformedAuthorizationIsUnauthenticated() {
        assertProblem(invalidRequest().header("Authorization", "Basic Zm9vOmJhcg==").get("/api/v1/tenants").then(),
                401, "unauthenticated").header("WWW-Authenticate", startsWith("Bearer"));
        assertProblem(invalidRequest().header("Authorization", "Bearer ").get("/api/v1/tenants").then(), 401,
                "unauthenticated");
    }

    @org.junit.jupiter.api.Test
    void tenantIdThatIsNotAUuidIsNotFound() {
        assertProblem(invalidRequest().auth().oauth2(OP).contentType(ContentType.JSON).body("{\"name\":\"x\"}")
                .post("/api/v1/tenants/not-a-uuid/api-keys").then(), 404, "not-found");
    }

    static ValidatableResponse assertProblem(ValidatableResponse response, int status, String kind) {
        return response.statusCode(status)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:trustfleet:problem:" + kind))
                .body("status", equalTo(status))
                .body("title", not(equalTo("")))
                .body("detail", allOf(not(containsString("Exception")), not(containsString("org.")),
                        not(containsString("\tat "))));
    }
}
