package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.trustfleet.testing.Contract.as;
import static org.trustfleet.testing.Contract.asOperator;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.trustfleet.scan.TestTlsServer;
import org.trustfleet.testing.ApiFixtures;
import org.trustfleet.testing.DeviceFixtures;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * Cursor paging of the growing lists (scans and enrollment tokens newest first, tenants oldest first, endpoints and
 * device groups by name): a client following {@code Link: rel="next"} sees every row that existed when it started
 * exactly once, in order, while new rows are inserted between its pages; the last page has no Link; a cursor that was
 * not made by the service, or a limit out of range, is a 400 validation problem.
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

    @Test
    void tenantsPageOldestFirstWithoutDuplicatesOrGapsWhileTenantsAreCreated() {
        for (int i = 0; i < 5; i++) {
            createTenant();
        }
        List<String> existing = ids(follow(null, "/api/v1/tenants?limit=1000", () -> { }));
        // about six pages over whatever the deployment holds, a new tenant created before each next one
        int limit = Math.max(2, existing.size() / 5 + 1);
        List<String> created = new ArrayList<>();
        List<Map<String, Object>> seen = follow(null, "/api/v1/tenants?limit=" + limit,
                () -> created.add(createTenant()));

        assertThat(created).isNotEmpty();
        List<String> expected = new ArrayList<>(existing);
        expected.addAll(created); // created after the cursor of every page so far: they come last, each once
        assertThat(ids(seen)).containsExactlyElementsOf(expected);
        for (int i = 1; i < seen.size(); i++) {
            assertThat(Instant.parse((String) seen.get(i).get("createdAt")))
                    .isAfterOrEqualTo(Instant.parse((String) seen.get(i - 1).get("createdAt")));
        }
        assertBadPagingIsAValidationProblem(null, "/api/v1/tenants");
    }

    @Test
    void endpointsPageByNameWithoutDuplicatesOrGapsWhileEndpointsAreAdded() throws Exception {
        String[] t = ApiFixtures.tenantWithAdmin("endpoint-paging");
        int port = TestTlsServer.closedPort();
        Function<String, String> add = name -> as(t[1]).contentType(ContentType.JSON)
                .body(Map.of("name", name, "host", "127.0.0.1", "port", port))
                .post("/api/v1/tenants/{t}/endpoints", t[0]).then().statusCode(201).extract().path("id");
        pagesByName(t[1], "/api/v1/tenants/" + t[0] + "/endpoints", add);
    }

    @Test
    void deviceGroupsPageByNameWithoutDuplicatesOrGapsWhileGroupsAreAdded() {
        String[] t = ApiFixtures.tenantWithAdmin("group-paging");
        pagesByName(t[1], "/api/v1/tenants/" + t[0] + "/device-groups",
                name -> DeviceFixtures.group(t[0], t[1], name, List.of()));
    }

    /**
     * Seven rows, then pages of two with a row added before each next page: named before every other (not listed in
     * this pass, as it sorts before the cursor), after every other (listed once, last), and between two rows not
     * listed yet (listed once, in its place). Every row that existed is listed once, in name order.
     */
    private static void pagesByName(String token, String path, Function<String, String> add) {
        Map<String, String> names = new java.util.HashMap<>();
        List<String> existing = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            String name = "m" + i + "0";
            String id = add.apply(name);
            names.put(id, name);
            existing.add(id);
        }
        List<String> before = new ArrayList<>();
        List<String> after = new ArrayList<>();
        List<String> between = new ArrayList<>();
        int[] round = {0};
        List<Map<String, Object>> seen = follow(token, path + "?limit=2", listed -> {
            int r = ++round[0];
            String name = switch (r % 3) {
                case 1 -> "a" + r; // sorts before everything
                case 2 -> "z" + r; // after everything
                // right after the page's last row (its cursor), before the next one
                default -> listed.get(listed.size() - 1).get("name") + "5";
            };
            String id = add.apply(name);
            names.put(id, name);
            (r % 3 == 1 ? before : r % 3 == 2 ? after : between).add(id);
        });

        List<String> seenIds = ids(seen);
        assertThat(seenIds).doesNotHaveDuplicates();
        assertThat(seenIds.stream().filter(existing::contains).toList()).containsExactlyElementsOf(existing);
        assertThat(seenIds).containsAll(after).containsAll(between).doesNotContainAnyElementsOf(before);
        assertThat(seen).extracting(s -> (String) s.get("name")).isSorted();
        assertThat(seenIds).allSatisfy(id -> assertThat(names).containsKey(id));
        assertBadPagingIsAValidationProblem(token, path);
    }

    /** A cursor the service did not make, and a limit out of range, get the validation problem. */
    private static void assertBadPagingIsAValidationProblem(String token, String path) {
        for (String query : List.of("after=not-a-cursor", "after=" + "A".repeat(30),
                "after=" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                        (UUID.randomUUID() + "").getBytes(java.nio.charset.StandardCharsets.UTF_8)))) {
            (token == null ? asOperator() : as(token)).get(path + "?" + query).then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:trustfleet:problem:validation"))
                    .body("detail", equalTo("'after' must be the cursor of a previous page (from its Link header)"));
        }
        for (String limit : List.of("0", "1001")) {
            org.trustfleet.testing.Contract.invalidRequest().auth().oauth2(token == null ? org.trustfleet.testing.EmbeddedPostgresResource.OPERATOR_TOKEN : token)
                    .get(path + "?limit=" + limit).then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:trustfleet:problem:validation"))
                    .body("detail", equalTo("'limit' must be between 1 and 1000"));
        }
    }

    private static List<String> ids(List<Map<String, Object>> rows) {
        return rows.stream().map(r -> (String) r.get("id")).toList();
    }

    private static String createTenant() {
        return asOperator().contentType(ContentType.JSON).body(Map.of("name", "paging " + UUID.randomUUID()))
                .post("/api/v1/tenants").then().statusCode(201).extract().path("id");
    }

    /** Follows rel="next" from {@code first}, running {@code between} before each next page. */
    private static List<Map<String, Object>> follow(String token, String first, Runnable between) {
        return follow(token, first, listed -> between.run());
    }

    /** Follows rel="next" from {@code first}; before each next page {@code between} gets what was listed so far. */
    private static List<Map<String, Object>> follow(String token, String first,
            java.util.function.Consumer<List<Map<String, Object>>> between) {
        List<Map<String, Object>> seen = new ArrayList<>();
        String next = first;
        int pages = 0;
        while (next != null) {
            Response page = (token == null ? asOperator() : as(token)).get(next);
            page.then().statusCode(200);
            seen.addAll(page.jsonPath().getList("$"));
            String link = page.header("Link");
            next = null;
            if (link != null) {
                Matcher m = NEXT.matcher(link);
                assertThat(m.find()).as("Link %s", link).isTrue();
                next = m.group(1);
                between.accept(seen); // a new row, e.g. newer than everything listed so far
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
