package org.trustfleet.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.trustfleet.boot.EmbeddedDatabase;
import org.trustfleet.testing.ServiceProcess;

/**
 * Two packaged instances on one PostgreSQL, as two replicas behind a load balancer: a session made on one is honoured
 * by the other, signing out on one ends it on the other at once, and failed sign-ins are counted across both.
 */
class ConsoleReplicasIT {
    private static final String OPERATOR = "tfo_console-replicas-it-operator-token";
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aSessionIsOneAcrossReplicasAndSigningOutOnOneEndsItOnTheOther() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target"), "it-console-");
        EmbeddedDatabase db = EmbeddedDatabase.start(work.resolve("pg"), 0, true);
        ServiceProcess a = null;
        ServiceProcess b = null;
        try {
            a = ServiceProcess.start(work.resolve("data-a"), settings(db, "console-a"));
            CompletableFuture<ServiceProcess> startingB = CompletableFuture.supplyAsync(() -> {
                try {
                    return ServiceProcess.start(work.resolve("data-b"), settings(db, "console-b"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            String tenant = JSON.readTree(send(a, HttpRequest.newBuilder(uri(a, "/api/v1/tenants"))
                    .header("Authorization", "Bearer " + OPERATOR).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"replicas\"}")), 201).body()).get("id")
                    .asText();
            String admin = JSON.readTree(send(a, HttpRequest.newBuilder(uri(a, "/api/v1/tenants/" + tenant
                            + "/api-keys")).header("Authorization", "Bearer " + OPERATOR)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"admin\",\"role\":\"admin\"}")), 201)
                    .body()).get("token").asText();
            b = startingB.join();

            String session = signIn(a, admin);
            String overview = "/console/tenants/" + tenant;
            HttpResponse<String> onB = get(b, overview, session);
            assertThat(onB.statusCode()).isEqualTo(200);
            String csrf = csrf(onB.body()); // the token a page of B gave works on A: it belongs to the session
            HttpResponse<String> out = send(a, HttpRequest.newBuilder(uri(a, "/console/sign-out"))
                    .header("Cookie", "tf_session=" + session)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("csrf=" + encode(csrf))), 303);
            assertThat(out.headers().firstValue("Location").orElseThrow()).endsWith("/console/sign-in");
            // no wait and no cache to expire: the other replica refuses it on the next request
            HttpResponse<String> afterOnB = get(b, overview, session);
            assertThat(afterOnB.statusCode()).isEqualTo(303);
            assertThat(afterOnB.headers().firstValue("Location").orElseThrow()).endsWith("/console/sign-in");

            // failed sign-ins count across replicas: 5 on each reach the default limit of 10
            for (int i = 0; i < 5; i++) {
                assertThat(postSignIn(a, "tfk_wrong-a-" + i).statusCode()).isEqualTo(401);
                assertThat(postSignIn(b, "tfk_wrong-b-" + i).statusCode()).isEqualTo(401);
            }
            HttpResponse<String> limited = postSignIn(a, admin);
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).isPresent();
            assertThat(postSignIn(b, admin).statusCode()).isEqualTo(429);
        } finally {
            if (b != null) {
                b.close();
            }
            if (a != null) {
                a.close();
            }
            db.close();
        }
    }

    private static Map<String, String> settings(EmbeddedDatabase db, String instance) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("quarkus.datasource.jdbc.url", db.jdbcUrl());
        settings.put("quarkus.datasource.username", EmbeddedDatabase.USER);
        settings.put("quarkus.datasource.password", db.password());
        settings.put("quarkus.quartz.instance-id", instance);
        settings.put("trustfleet.operator-token", OPERATOR);
        return settings;
    }

    private static String signIn(ServiceProcess service, String token) throws Exception {
        HttpResponse<String> r = postSignIn(service, token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
        return cookie(r, "tf_session");
    }

    private static HttpResponse<String> postSignIn(ServiceProcess service, String token) throws Exception {
        HttpResponse<String> form = send(service, HttpRequest.newBuilder(uri(service, "/console/sign-in")).GET(), 200);
        return HTTP.send(HttpRequest.newBuilder(uri(service, "/console/sign-in"))
                .header("Cookie", "tf_sign_in=" + cookie(form, "tf_sign_in"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + encode(token) + "&csrf=" + encode(csrf(form.body()))))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(ServiceProcess service, String path, String session) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(service, path)).header("Cookie", "tf_session=" + session).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(ServiceProcess service, HttpRequest.Builder request, int expected)
            throws Exception {
        HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(expected);
        return r;
    }

    private static URI uri(ServiceProcess service, String path) {
        return URI.create(service.baseUrl() + path);
    }

    private static String cookie(HttpResponse<?> r, String name) {
        return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
                .map(c -> c.substring(name.length() + 1, c.indexOf(';') < 0 ? c.length() : c.indexOf(';')))
                .findFirst().orElseThrow(() -> new AssertionError("no cookie " + name));
    }

    private static String csrf(String html) {
        Matcher m = CSRF.matcher(html);
        assertThat(m.find()).as("a CSRF field in the page").isTrue();
        return m.group(1);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
