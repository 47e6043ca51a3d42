package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.as;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * Cursor paging of the newest-first lists (scans, enrollment tokens): a client following {@code Link: rel="next"}
 * sees every row that existed when it started exactly once, in order, while new rows are inserted between its pages;
 * the last page has no Link; a cursor that was not made by the service is a 400.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class CursorPagingApiTest {
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>; rel=\"next\"");

    @Test
    void scansPageNewestFirstWithoutDuplicatesOrGapsWhileScansAreRecorded() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("scan-paging");
        String endpoint = as(t[1]).contentType(ContentType.JSON).body(Map.of("name", "paging",
                        "host", "127.0.0.1", "port", TestTlsServer.closedPort()))
                .post("/api/v1/tenants/{t}/endpoints", t[0]).then().statusCode(201).extract().path("id");
        List<String> existing = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            existing.add(0, scan(t, endpoint)); // newest first
        }
        String first = "/api/v1/tenants/" + t[0] + "/endpoints/" + endpoint + "/scans?limit=2";
        List<Map<String, Object>> seen = follow(t[1], first, () -> scan(t, endpoint));

        assertThat(seen).extracting(s -> (String) s.get("id")).containsExactlyElementsOf(existing);
        assertNewestFirst(seen, "startedAt");
        as(t[1]).get("/api/v1/tenants/{t}/endpoints/{e}/scans?after=not-a-cursor", t[0], endpoint).then()
                .statusCode(400);
    }

    @Test
    void enrollmentTokensPageNewestFirstWithoutDuplicatesOrGapsWhileTokensAreIssued() {
        String[] t = ApiFixtures.tenantWithAdmin("token-paging");
        String group = DeviceFixtures.group(t[0], t[1], "paging", List.of());
        List<String> existing = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            existing.add(0, issue(t, group));
        }
        List<Map<String, Object>> seen = follow(t[1], "/api/v1/tenants/" + t[0] + "/enrollment-tokens?limit=3",
                () -> issue(t, group));

        assertThat(seen).extracting(s -> (String) s.get("id")).containsExactlyElementsOf(existing);
        assertNewestFirst(seen, "createdAt");
        // a full last page still links on; the page after it is empty and has no Link
        int total = as(t[1]).get("/api/v1/tenants/{t}/enrollment-tokens?limit=1000", t[0]).then().statusCode(200)
                .extract().jsonPath().getList("$").size();
        assertThat(total).isGreaterThan(existing.size()); // those issued while the first client paged
        assertThat(follow(t[1], "/api/v1/tenants/" + t[0] + "/enrollment-tokens?limit=" + total, () -> { }))
                .hasSize(total);
        as(t[1]).get("/api/v1/tenants/{t}/enrollment-tokens?after=" + "A".repeat(30), t[0]).then().statusCode(400);
    }

    /** Follows rel="next" from {@code first}, running {@code between} before each next page. */
    private static List<Map<String, Object>> follow(String token, String first, Runnable between) {
        List<Map<String, Object>> seen = new ArrayList<>();
        String next = first;
        int pages = 0;
        while (next != null) {
            Response page = as(token).get(next);
            page.then().statusCode(200);
            seen.addAll(page.jsonPath().getList("$"));
            String link = page.header("Link");
            next = null;
            if (link != null) {
                Matcher m = NEXT.matcher(link);
                assertThat(m.find()).as("Link %s", link).isTrue();
                next = m.group(1);
                between.run(); // a new row, newer than everything listed so far
            }
            assertThat(++pages).isLessThan(50);
        }
        return seen;
    }

    private static void assertNewestFirst(List<Map<String, Object>> rows, String timeField) {
        for (int i = 1; i < rows.size(); i++) {
            assertThat(Instant.parse((String) rows.get(i).get(timeField)))
                    .isBeforeOrEqualTo(Instant.parse((String) rows.get(i - 1).get(timeField)));
        }
    }

    private static String scan(String[] t, String endpoint) {
        return as(t[1]).post("/api/v1/tenants/{t}/endpoints/{e}/scans", t[0], endpoint).then().statusCode(201)
                .extract().path("id");
    }

    private static String issue(String[] t, String group) {
        return as(t[1]).contentType(ContentType.JSON).body(Map.of("deviceGroupId", group, "expiresInSeconds", 3600,
                        "maxUses", 1))
                .post("/api/v1/tenants/{t}/enrollment-tokens", t[0]).then().statusCode(201).extract().path("id");
    }
}
