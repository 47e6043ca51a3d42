package org.trustfleet.web;

import static org.hamcrest.Matchers.equalTo;
import static org.trustfleet.testing.Contract.invalidRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * A JSON body that Jackson cannot even decode to characters (it guesses UTF-32 from leading zero bytes, then meets a
 * code point above U+10FFFF) is bad input like any other unreadable body: 400 {@code malformed-request}, not 500.
 * Found by {@link DeviceRequestBodyFuzzTest}; the input is its committed finding.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class RequestBodyEncodingApiTest {

    @Test
    void anUndecodableBodyIsAMalformedRequest() throws IOException {
        byte[] body = finding();
        invalidRequest().contentType("application/json").body(body).post("/api/v1/enroll").then()
                .statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("urn:trustfleet:problem:malformed-request"))
                .body("detail", equalTo("the request body is not valid JSON"));
    }

    /** The fuzz finding without its first byte (which only picked the body type). */
    private static byte[] finding() throws IOException {
        try (InputStream in = RequestBodyEncodingApiTest.class.getResourceAsStream(
                "DeviceRequestBodyFuzzTestInputs/readBody/crash-b8ed1303122fac27c97acd8deb096eb8934e4730")) {
            byte[] input = in.readAllBytes();
            return Arrays.copyOfRange(input, 1, input.length);
        }
    }
}
