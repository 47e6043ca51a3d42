package org.trustfleet.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.asOperator;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.ConsoleClient;
import org.trustfleet.testing.ConsoleClient.Session;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.testing.ShiftedClock;
import org.trustfleet.testing.ShiftedClockProfile;

/**
 * Console sign-in and sessions over HTTP, with a clock the test moves: the cookie's flags and the page headers, CSRF
 * refusal on every state-changing route, idle and absolute expiry, revocation of the key, sign-out, the sign-in
 * limit, and 404 for another tenant's id on every console route.
 */
@QuarkusTest
@TestProfile(ShiftedClockProfile.class)
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class ConsoleSessionTest {
    static final ShiftedClock CLOCK = ShiftedClock.INSTANCE;

    private String tenant;
    private String admin;

    @BeforeEach
    void setUp() {
        CLOCK.advance(Duration.ofSeconds(61)); // every test starts with an empty sign-in failure window
        String[] t = ApiFixtures.tenantWithAdmin("console-session");
        tenant = t[0];
        admin = t[1];
    }

    @Test
    void signInSetsAHardenedSessionCookieAndATenantKeyLandsOnItsOverview() {
        Response signIn = ConsoleClient.postSignIn(admin);
        assertThat(signIn.statusCode()).isEqualTo(303);
        assertThat(signIn.header("Location")).endsWith("/console");
        String setCookie = signIn.headers().getValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("tf_session=")).findFirst().orElseThrow();
        assertThat(setCookie).contains("HttpOnly").containsIgnoringCase("SameSite=Strict").contains("Path=/console")
                .doesNotContain("Secure"); // plain HTTP and secure-cookies off
        assertThat(setCookie).doesNotContain(admin); // the key itself never goes to the browser
        String cookie = signIn.getCookie("tf_session");

        Response landing = RestAssured.given().redirects().follow(false).cookie("tf_session", cookie).get("/console");
        assertThat(landing.statusCode()).isEqualTo(303);
        assertThat(landing.header("Location")).endsWith("/console/tenants/" + tenant);

        Response overview = RestAssured.given().redirects().follow(false).cookie("tf_session", cookie)
                .get("/console/tenants/{t}", tenant);
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(overview.contentType()).startsWith("text/html");
        assertThat(overview.asString()).contains("console-session-").contains("Overview");
        String csp = overview.header("Content-Security-Policy");
        assertThat(csp).contains("script-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe");
        assertThat(overview.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(overview.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(overview.asString()).doesNotContain(admin);
    }

    @Test
    void withoutASessionEveryPageRedirectsToSignInAndTheApiStillWantsABearerToken() {
        Response page = RestAssured.given().redirects().follow(false).get("/console/tenants/{t}/endpoints", tenant);
        assertThat(page.statusCode()).isEqualTo(303);
        assertThat(page.header("Location")).endsWith("/console/sign-in");
        assertThat(page.header("Content-Security-Policy")).isNotNull();
        Session session = ConsoleClient.signIn(admin);
        // the session cookie is no API credential
        RestAssured.given().cookie("tf_session", session.cookie()).get("/api/v1/tenants/{t}/endpoints", tenant)
                .then().statusCode(401);
        // and a bearer token is no console credential
        Response bearer = RestAssured.given().redirects().follow(false).auth().oauth2(admin)
                .get("/console/tenants/{t}", tenant);
        assertThat(bearer.statusCode()).isEqualTo(303);
    }

    @Test
    void everyStateChangingRouteRefusesAFormWithoutTheSessionsCsrfToken() {
        Session session = ConsoleClient.signIn(admin);
        Session other = ConsoleClient.signIn(admin);
        List<ConsoleRoutes.Route> posts = ConsoleRoutes.posts();
        assertThat(posts).hasSizeGreaterThan(10);
        for (ConsoleRoutes.Route route : posts) {
            if (route.template().equals("/console/sign-in")) {
                continue; // checked below: its token is a double-submit cookie, there is no session yet
            }
            for (String csrf : new String[] {null, "", other.csrf()}) {
                RequestSpecification request = session.request();
                if (route.multipart()) {
                    request = request.multiPart("note", "x");
                    if (csrf != null) {
                        request = request.multiPart("csrf", csrf);
                    }
                } else {
                    request = request.contentType(ContentType.URLENC).formParam("name", "x");
                    if (csrf != null) {
                        request = request.formParam("csrf", csrf);
                    }
                }
                Response r = request.post(route.path(tenant));
                assertThat(r.statusCode()).as(route + " with csrf " + csrf).isEqualTo(403);
                // a browser is shown the refusal as a page, with the page headers
                assertThat(r.contentType()).as(route.toString()).startsWith("text/html");
                assertThat(r.asString()).as(route.toString()).contains("CSRF token");
                assertThat(r.header("Content-Security-Policy")).isEqualTo(ConsoleHeaders.CSP);
            }
        }
        // and a client that asks for JSON gets the problem document
        Response json = session.request().accept("application/problem+json, text/html;q=0.1")
                .contentType(ContentType.URLENC).formParam("name", "x")
                .post("/console/tenants/{t}/device-groups", tenant);
        assertThat(json.statusCode()).isEqualTo(403);
        assertThat(json.contentType()).startsWith("application/problem+json");
        assertThat(json.jsonPath().getString("type")).isEqualTo("urn:trustfleet:problem:forbidden");
        // the session is still fine, and its own token is accepted
        session.request().contentType(ContentType.URLENC).formParam("csrf", session.csrf())
                .post("/console/sign-out").then().statusCode(303);
    }

    @Test
    void theSignInFormNeedsItsDoubleSubmitCookie() {
        ConsoleClient.SignInForm form = ConsoleClient.signInForm();
        RestAssured.given().redirects().follow(false).formParam("token", admin).formParam("csrf", form.csrf())
                .post("/console/sign-in").then().statusCode(403);
        RestAssured.given().redirects().follow(false).cookie("tf_sign_in", form.cookie()).formParam("token", admin)
                .formParam("csrf", "forged").post("/console/sign-in").then().statusCode(403);
    }

    @Test
    void aSessionEndsAfterTheIdleTimeout() {
        Session session = ConsoleClient.signIn(admin);
        CLOCK.advance(Duration.ofMinutes(20));
        assertSignedIn(session);
        CLOCK.advance(Duration.ofMinutes(20)); // 40 minutes since sign-in, 20 since the last use
        assertSignedIn(session);
        CLOCK.advance(Duration.ofMinutes(31));
        assertSignedOut(session);
    }

    @Test
    void aSessionEndsAfterTheAbsoluteTimeoutHoweverBusy() {
        Session session = ConsoleClient.signIn(admin);
        for (int i = 0; i < 5; i++) {
            CLOCK.advance(Duration.ofMinutes(20));
            assertSignedIn(session); // 100 minutes, used every 20
        }
        CLOCK.advance(Duration.ofMinutes(21)); // 121 minutes: past the absolute timeout, within the idle one
        assertSignedOut(session);
    }

    @Test
    void revokingTheKeyEndsItsSessions() {
        io.restassured.path.json.JsonPath doomedKey = issue("doomed", "admin");
        io.restassured.path.json.JsonPath keptKey = issue("kept", "console");
        Session doomed = ConsoleClient.signIn(doomedKey.getString("token"));
        Session alsoDoomed = ConsoleClient.signIn(doomedKey.getString("token"));
        Session kept = ConsoleClient.signIn(keptKey.getString("token"));
        assertSignedIn(doomed);
        asOperator().delete("/api/v1/tenants/{t}/api-keys/{k}", tenant, doomedKey.getString("id")).then()
                .statusCode(204);
        assertSignedOut(doomed);
        assertSignedOut(alsoDoomed);
        assertSignedIn(kept);
        // and the revoked token cannot sign in again
        assertThat(ConsoleClient.postSignIn(doomedKey.getString("token")).statusCode()).isEqualTo(401);
    }

    @Test
    void signingOutEndsTheSession() {
        Session session = ConsoleClient.signIn(admin);
        Response out = session.request().contentType(ContentType.URLENC).formParam("csrf", session.csrf())
                .post("/console/sign-out");
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(out.header("Location")).endsWith("/console/sign-in");
        assertThat(out.headers().getValues("Set-Cookie")).anyMatch(c -> c.startsWith("tf_session=;")
                || c.startsWith("tf_session=\"\"") || c.contains("Max-Age=0"));
        assertSignedOut(session);
    }

    @Test
    void failedSignInsAreLimitedPerAddressEvenForAValidToken() {
        for (int i = 0; i < 3; i++) {
            assertThat(ConsoleClient.postSignIn("tfk_wrong-" + i).statusCode()).isEqualTo(401);
        }
        Response limited = ConsoleClient.postSignIn(admin);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 60L);
        assertThat(limited.asString()).contains("Too many failed sign-ins");
        CLOCK.advance(Duration.ofSeconds(61));
        assertThat(ConsoleClient.postSignIn(admin).statusCode()).isEqualTo(303);
    }

    @Test
    void aDeviceTokenCannotSignIn() {
        assertThat(ConsoleClient.postSignIn("tfd_not-a-console-credential").statusCode()).isEqualTo(401);
    }

    @Test
    void anotherTenantsIdIsNotFoundOnEveryConsoleRoute() {
        String foreign = ApiFixtures.createTenant("console-foreign");
        Session session = ConsoleClient.signIn(admin);
        List<ConsoleRoutes.Route> routes = ConsoleRoutes.tenantRoutes();
        assertThat(routes).hasSizeGreaterThan(20);
        for (String tenantId : new String[] {foreign, UUID.randomUUID().toString(), "not-a-uuid"}) {
            for (ConsoleRoutes.Route route : routes) {
                RequestSpecification request = session.request();
                if (route.multipart()) {
                    request = request.multiPart("csrf", session.csrf());
                } else if (route.method().equals("POST")) {
                    request = request.contentType(ContentType.URLENC).formParam("csrf", session.csrf());
                }
                Response r = request.request(route.method(), route.path(tenantId));
                assertThat(r.statusCode()).as(route + " for tenant " + tenantId).isEqualTo(404);
                assertThat(r.asString()).as(route.toString()).doesNotContain("console-foreign");
                assertThat(r.contentType()).as(route.toString()).startsWith("text/html");
            }
        }
        // and its own tenant with another tenant's child ids is 404 too (looked up by tenant and id)
        String[] other = ApiFixtures.tenantWithAdmin("console-other");
        String endpoint = org.trustfleet.testing.Contract.as(other[1]).contentType(ContentType.JSON)
                .body(Map.of("name", "theirs", "host", "theirs.example.test", "port", 443))
                .post("/api/v1/tenants/{t}/endpoints", other[0]).then().statusCode(201).extract().path("id");
        session.request().get("/console/tenants/{t}/endpoints/{e}", tenant, endpoint).then().statusCode(404);
    }

    @Test
    void theOperatorPicksATenant() {
        Session operator = ConsoleClient.signIn(EmbeddedPostgresResource.OPERATOR_TOKEN);
        Response picker = operator.request().get("/console");
        assertThat(picker.statusCode()).isEqualTo(200);
        assertThat(picker.asString()).contains("/console/tenants/" + tenant);
        operator.request().get("/console/tenants/{t}/endpoints", tenant).then().statusCode(200);
        // reads only, as in the API: writing is an admin's
        operator.request().contentType(ContentType.URLENC).formParam("csrf", operator.csrf())
                .formParam("name", "x").formParam("host", "x.example.test").formParam("port", "443")
                .post("/console/tenants/{t}/endpoints", tenant).then().statusCode(403);
    }

    @Test
    void aConsoleKeyReadsButDoesNotWrite() {
        Session console = ConsoleClient.signIn(issue("reader", "console").getString("token"));
        console.request().get("/console/tenants/{t}/endpoints", tenant).then().statusCode(200);
        Response page = console.request().get("/console/tenants/{t}/endpoints", tenant);
        assertThat(page.asString()).doesNotContain("Add an endpoint"); // no form it could not use
        console.request().contentType(ContentType.URLENC).formParam("csrf", console.csrf())
                .formParam("name", "x").formParam("host", "x.example.test").formParam("port", "443")
                .post("/console/tenants/{t}/endpoints", tenant).then().statusCode(403);
    }

    @Test
    void anAdminAddsAStartTlsEndpointAndItsPageShowsTheProtocol() {
        Session admin = ConsoleClient.signIn(issue("mail-admin", "admin").getString("token"));
        Response added = admin.request().contentType(ContentType.URLENC).formParam("csrf", admin.csrf())
                .formParam("name", "imap").formParam("host", "imap.example.test").formParam("port", "143")
                .formParam("protocol", "imap-starttls").post("/console/tenants/{t}/endpoints", tenant);
        assertThat(added.statusCode()).isEqualTo(303);
        String page = admin.request().get(added.header("Location")).asString();
        assertThat(page).contains("<code>imap-starttls</code>")
                .contains("<option value=\"imap-starttls\" selected>");
        admin.request().contentType(ContentType.URLENC).formParam("csrf", admin.csrf())
                .formParam("name", "pop").formParam("host", "pop.example.test").formParam("port", "110")
                .formParam("protocol", "pop3s").post("/console/tenants/{t}/endpoints", tenant).then()
                .statusCode(400);
    }

    private io.restassured.path.json.JsonPath issue(String name, String role) {
        return asOperator().contentType(ContentType.JSON).body(Map.of("name", name, "role", role))
                .post("/api/v1/tenants/{t}/api-keys", tenant).then().statusCode(201).extract().jsonPath();
    }

    private void assertSignedIn(Session session) {
        Response r = session.request().get("/console/tenants/{t}", tenant);
        assertThat(r.statusCode()).as("signed in").isEqualTo(200);
    }

    private void assertSignedOut(Session session) {
        Response r = session.request().get("/console/tenants/{t}", tenant);
        assertThat(r.statusCode()).as("signed out").isEqualTo(303);
        assertThat(r.header("Location")).endsWith("/console/sign-in");
    }
}
