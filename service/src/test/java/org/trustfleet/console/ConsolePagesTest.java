package org.trustfleet.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.trustfleet.pki.CertificateEncoder;
import org.trustfleet.pki.TestPki;
import org.trustfleet.pki.TestPki.Cert;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.ConsoleClient;
import org.trustfleet.testing.ConsoleClient.Session;
import org.trustfleet.testing.EmbeddedPostgresResource;
import org.trustfleet.web.Problem;

/**
 * Console pages over HTTP with a signed-in session: a device group's version history after its set changed, and
 * failures answered as HTML pages (or problem documents when asked for, or htmx fragments) with the page headers.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class ConsolePagesTest {
    static final Cert ROOT_A = TestPki.root("Console History Root A");
    static final Cert ROOT_B = TestPki.root("<img src=x onerror=window.__xss='history'>");

    @Test
    void aGroupsPageListsItsVersionsNewestFirstWithWhatEachAddedAndRemoved() {
        String[] t = ApiFixtures.tenantWithAdmin("console-history");
        String tenant = t[0];
        String admin = t[1];
        for (Cert anchor : List.of(ROOT_A, ROOT_B)) {
            as(admin).contentType(ContentType.JSON).body(Map.of("pem", CertificateEncoder.toPem(
                    List.of(anchor.cert())))).post("/api/v1/tenants/{t}/anchors", tenant).then().statusCode(201);
        }
        String group = as(admin).contentType(ContentType.JSON).body(group(ROOT_A))
                .post("/api/v1/tenants/{t}/device-groups", tenant).then().statusCode(201).extract().path("id");
        Session session = ConsoleClient.signIn(admin);
        String path = "/console/tenants/" + tenant + "/device-groups/" + group;
        String first = page(session, path);
        assertThat(first).contains("id=\"version-1\"").doesNotContain("id=\"version-2\"");

        // an include of another tenant anchor: version 2 adds it
        as(admin).contentType(ContentType.JSON).body(group(ROOT_A, ROOT_B))
                .put("/api/v1/tenants/{t}/device-groups/{g}", tenant, group).then().statusCode(200);
        String second = page(session, path);
        assertThat(second.indexOf("id=\"version-2\"")).isPositive().isLessThan(second.indexOf("id=\"version-1\""));
        String v2 = between(second, "id=\"version-2\"", "id=\"version-1\"");
        assertThat(v2).contains("Added").contains(prefix(ROOT_B)).doesNotContain(prefix(ROOT_A))
                .doesNotContain("Removed");
        // the subject is text: escaped, never markup
        assertThat(v2).contains("CN=\\&lt;img src").doesNotContain("<img");
        assertThat(between(second, "id=\"version-1\"", "</section>")).contains(prefix(ROOT_A))
                .contains("Console History Root A");

        // dropping the first anchor: version 3 removes it
        as(admin).contentType(ContentType.JSON).body(group(ROOT_B))
                .put("/api/v1/tenants/{t}/device-groups/{g}", tenant, group).then().statusCode(200);
        String third = page(session, path);
        String v3 = between(third, "id=\"version-3\"", "id=\"version-2\"");
        assertThat(v3).contains("Removed").contains(prefix(ROOT_A)).doesNotContain(prefix(ROOT_B));
        assertThat(third).doesNotContain("<img");
    }

    @Test
    void aConsoleFailureIsAnHtmlPageWithTheProblemsStatusAndTheConsoleHeaders() {
        String[] t = ApiFixtures.tenantWithAdmin("console-errors");
        Session session = ConsoleClient.signIn(t[1]);
        String unknown = "/console/tenants/" + UUID.randomUUID();

        Response page = session.request().accept("text/html,application/xhtml+xml,*/*;q=0.8").get(unknown);
        assertThat(page.statusCode()).isEqualTo(404);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.asString()).contains("<h1 id=\"problem-title\">Not found</h1>")
                .contains("tenant not found").contains("href=\"/console\"").contains("id=\"sign-out\"");
        assertHeaders(page);

        // the same problem, as JSON, for a client that prefers it (the pages themselves are HTML only)
        for (String accept : List.of("application/problem+json, text/html;q=0.5", "application/json, */*;q=0.1")) {
            Response json = session.request().accept(accept).get(unknown);
            assertThat(json.statusCode()).as(accept).isEqualTo(404);
            assertThat(json.contentType()).as(accept).startsWith("application/problem+json");
            assertThat(json.jsonPath().getString("type")).isEqualTo("urn:trustfleet:problem:not-found");
            assertThat(json.jsonPath().getString("detail")).isEqualTo("tenant not found");
            assertHeaders(json);
        }

        // the pages exist only as HTML: a client that accepts nothing else is told so, in its own terms
        Response onlyJson = session.request().accept("application/json").get(unknown);
        assertThat(onlyJson.statusCode()).isEqualTo(406);
        assertThat(onlyJson.contentType()).startsWith("application/problem+json");
        assertThat(onlyJson.jsonPath().getString("type")).isEqualTo("urn:trustfleet:problem:not-acceptable");

        // htmx: a fragment that replaces the main content
        Response htmx = session.request().header("HX-Request", "true").get(unknown);
        assertThat(htmx.statusCode()).isEqualTo(404);
        assertThat(htmx.contentType()).startsWith("text/html");
        assertThat(htmx.asString()).contains("id=\"problem\"").contains("tenant not found").doesNotContain("<html");
        assertThat(htmx.header("HX-Retarget")).isEqualTo("#main");
        assertThat(htmx.header("HX-Reselect")).isEqualTo("#problem");
        assertHeaders(htmx);

        // a form without its CSRF token: 403, as a page
        Response forbidden = session.request().contentType(ContentType.URLENC).formParam("name", "x")
                .post("/console/tenants/{t}/device-groups", t[0]);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.contentType()).startsWith("text/html");
        assertThat(forbidden.asString()).contains("Not allowed for this credential").contains("CSRF token");
        assertHeaders(forbidden);

        // signed out, the page offers the sign-in instead of the overview
        session.request().contentType(ContentType.URLENC).formParam("csrf", session.csrf())
                .post("/console/sign-out").then().statusCode(303);
        Response signedOut = session.request().contentType(ContentType.URLENC).formParam("csrf", session.csrf())
                .post("/console/sign-in");
        assertThat(signedOut.statusCode()).isEqualTo(403);
        assertThat(signedOut.asString()).contains("href=\"/console/sign-in\"").doesNotContain("id=\"sign-out\"");
    }

    @Test
    void theProblemsWordsAreEscaped() {
        Problem problem = new Problem("urn:trustfleet:problem:validation", "<b>title</b>", 400,
                "field \"<script>x()</script>\" is wrong", "/console/x", List.of("'\"><img src=x onerror=y()>"));
        for (String html : List.of(ConsoleErrorPages.Templates.error(problem, true, "c\"sr'f").render(),
                ConsoleErrorPages.Templates.errorFragment(problem, false).render())) {
            assertThat(html).doesNotContain("<script>").doesNotContain("<img").doesNotContain("<b>")
                    .contains("&lt;script&gt;x()&lt;/script&gt;").contains("&lt;b&gt;title&lt;/b&gt;");
        }
    }

    private static void assertHeaders(Response r) {
        assertThat(r.header("Content-Security-Policy")).isEqualTo(ConsoleHeaders.CSP);
        assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    }

    private static Map<String, Object> group(Cert... include) {
        return Map.of("name", "history", "minApiLevel", 90, "maxApiLevel", 99,
                "include", java.util.Arrays.stream(include).map(Cert::sha256).toList());
    }

    private static String page(Session session, String path) {
        Response r = session.request().get(path);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.asString();
    }

    private static String prefix(Cert cert) {
        return cert.sha256().substring(0, 16);
    }

    private static String between(String text, String from, String to) {
        int start = text.indexOf(from);
        int end = text.indexOf(to, start);
        assertThat(start).as(from).isNotNegative();
        assertThat(end).as(to).isGreaterThan(start);
        return text.substring(start, end);
    }
}
