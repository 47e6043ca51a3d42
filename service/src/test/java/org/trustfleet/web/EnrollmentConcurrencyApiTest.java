package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.testing.Contract.api;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trustfleet.core.TrustfleetConfig;
import org.trustfleet.testing.EmbeddedPostgresResource;

/**
 * The enrollment failure limit holds under concurrency: of 40 parallel enrollments with made-up tokens from one
 * address, exactly {@code max-failures-per-minute} are told 401 and every other one 429 (the campaign saw 10 to 23
 * answers of 401 against a limit of 10, because checking and counting were two steps).
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
class EnrollmentConcurrencyApiTest {

    @Inject
    AgroalDataSource db;

    @Inject
    TrustfleetConfig config;

    /** Every test client is the same loopback address: start and leave with no failure counted for it. */
    @BeforeEach
    @AfterEach
    void forgetFailures() throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM failed_attempt WHERE door = 'ENROLLMENT'");
        }
    }

    @Test
    void parallelBogusEnrollmentsGetExactlyTheLimitOf401s() throws Exception {
        int limit = config.enrollment().maxFailuresPerMinute();
        int attempts = 40;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(attempts);
        List<Response> responses = new ArrayList<>();
        try {
            List<Future<Response>> futures = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                String token = "tfe_bogus-" + i;
                String hardwareId = "hw-bogus-" + i;
                futures.add(pool.submit(() -> {
                    go.await();
                    return api().contentType(ContentType.JSON).body(Map.of("enrollmentToken", token,
                            "hardwareId", hardwareId, "apiLevel", 95)).post("/api/v1/enroll");
                }));
            }
            go.countDown();
            for (Future<Response> f : futures) {
                responses.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(responses).extracting(Response::statusCode).containsOnly(401, 429);
        assertThat(responses).filteredOn(r -> r.statusCode() == 401).hasSize(limit);
        assertThat(responses).filteredOn(r -> r.statusCode() == 429).hasSize(attempts - limit)
                .allSatisfy(r -> {
                    assertThat(r.jsonPath().getString("type")).isEqualTo("urn:trustfleet:problem:rate-limited");
                    assertThat(Integer.parseInt(r.header("Retry-After"))).isBetween(1, 60);
                });
    }
}
