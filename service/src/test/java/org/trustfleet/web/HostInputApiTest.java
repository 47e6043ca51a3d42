package org.trustfleet.web;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.hamcrest.Matchers.containsString;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.invalidRequest;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * An endpoint's {@code host} and {@code serverName}, and a chain check's {@code serverName}, through the API: a DNS
 * name, IPv4 dotted quad or IPv6 literal is stored in its one spelling; anything else (a URL, a user, a port, a
 * CRLF, markup, an octal address) is a 400 naming the field, on create and on replace, without echoing the value.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class HostInputApiTest {
    private static final TestPki.Cert ROOT = TestPki.root("Host Input Root");
    private static final TestPki.Cert LEAF = ROOT.issueIntermediate("Host Input CA").issueLeaf("sts.host.test");

    private static String tenant;
    private static String admin;
    private static String endpoint;

    @BeforeEach
    void setUp() {
        if (tenant == null) {
            String[] t = ApiFixtures.tenantWithAdmin("host-input");
            tenant = t[0];
            admin = t[1];
            endpoint = as(admin).contentType(ContentType.JSON).body(body("existing", "sts.contoso.com", null))
                    .post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201).extract().path("id");
        }
    }

    static Stream<Arguments> stored() {
        return Stream.of(
                Arguments.of("STS.Contoso.COM.", null, "sts.contoso.com", null),
                Arguments.of("bücher.example", "Bücher.Example.", "xn--bcher-kva.example", "xn--bcher-kva.example"),
                Arguments.of("[2001:DB8::1]", "sts.contoso.com", "2001:db8::1", "sts.contoso.com"),
                Arguments.of("2001:DB8::10", null, "2001:db8::10", null),
                Arguments.of("192.0.2.10", "192.0.2.10", "192.0.2.10", "192.0.2.10"),
                Arguments.of("sts.contoso.com", "", "sts.contoso.com", null));
    }

    @ParameterizedTest(name = "{0} / {1} stored as {2} / {3}")
    @MethodSource("stored")
    void hostsAreStoredInTheirOneSpelling(String host, String serverName, String storedHost,
            String storedServerName) {
        ValidatableResponse created = as(admin).contentType(ContentType.JSON)
                .body(body("stored-" + UUID.randomUUID(), host, serverName))
                .post("/api/v1/tenants/{t}/endpoints", tenant).then().statusCode(201)
                .body("host", equalTo(storedHost));
        created.body("serverName", storedServerName == null ? nullValue() : equalTo(storedServerName));
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("host", "http://127.0.0.1/"),
                Arguments.of("host", "user:pw@host"),
                Arguments.of("host", "sts.contoso.com\r\nX-Injected: yes"),
                Arguments.of("host", "<script>:1"),
                Arguments.of("host", "<script>alert(1)</script>"),
                Arguments.of("host", "[::1]:443"),
                Arguments.of("host", "sts.contoso.com:443"),
                Arguments.of("host", "0177.0.0.1"),
                Arguments.of("host", "127.1"),
                Arguments.of("host", "0x7f000001"),
                Arguments.of("host", "2130706433"),
                Arguments.of("host", "127.0.0.1."),
                Arguments.of("host", "fe80::1%eth0"),
                Arguments.of("host", "sts\u0000.contoso.com"),
                Arguments.of("serverName", "http://x.invalid/"),
                Arguments.of("serverName", "x.invalid:443"),
                Arguments.of("serverName", "sts contoso.com"),
                Arguments.of("serverName", "0177.0.0.1"));
    }

    @ParameterizedTest(name = "create: {0} = {1}")
    @MethodSource("refused")
    void aHostThatIsNotOneIsRefusedOnCreate(String field, String value) {
        Map<String, Object> body = body("refused-" + UUID.randomUUID(), "sts.contoso.com", null);
        body.put(field, value);
        assertRefused(invalidRequest().auth().oauth2(admin).contentType(ContentType.JSON).body(body)
                .post("/api/v1/tenants/{t}/endpoints", tenant).then(), field, value);
    }

    @ParameterizedTest(name = "replace: {0} = {1}")
    @MethodSource("refused")
    void aHostThatIsNotOneIsRefusedOnReplace(String field, String value) {
        Map<String, Object> body = body("existing", "sts.contoso.com", null);
        body.put(field, value);
        assertRefused(invalidRequest().auth().oauth2(admin).contentType(ContentType.JSON).body(body)
                .put("/api/v1/tenants/{t}/endpoints/{e}", tenant, endpoint).then(), field, value);
        as(admin).get("/api/v1/tenants/{t}/endpoints/{e}", tenant, endpoint).then().statusCode(200)
                .body("host", equalTo("sts.contoso.com")).body("serverName", nullValue());
    }

    @ParameterizedTest(name = "chain check: serverName = {1}")
    @MethodSource("refused")
    void aChainCheckServerNameFollowsTheSameRule(String field, String value) {
        Map<String, Object> body = new HashMap<>();
        body.put("chain", CertificateEncoder.toPem(List.of(LEAF.cert())));
        body.put("serverName", value);
        assertRefused(invalidRequest().auth().oauth2(admin).contentType(ContentType.JSON).body(body)
                .post("/api/v1/tenants/{t}/chain-checks", tenant).then(), "serverName", value);
    }

    private static void assertRefused(ValidatableResponse response, String field, String value) {
        response.statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("urn:trustfleet:problem:validation"))
                .body("detail", containsString("'" + field + "' is not a valid host name: "))
                .body("detail", not(containsString(value)));
    }

    private static Map<String, Object> body(String name, String host, String serverName) {
        Map<String, Object> body = new HashMap<>(Map.of("name", name, "host", host, "port", 443));
        if (serverName != null) {
            body.put("serverName", serverName);
        }
        return body;
    }
}
