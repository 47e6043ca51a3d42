package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;
import org.trustfleet.core.ErrorKind;
import org.trustfleet.core.TrustfleetException;

/** Server-side failures: only internal errors are masked; our own 503 sentence reaches the caller. */
class ProblemMapperTest {
    private final ProblemMapper mapper = new ProblemMapper();

    @Test
    void unavailableKeepsItsStatusTypeAndSentence() {
        Response response = mapper.trustfleet(new TrustfleetException(ErrorKind.UNAVAILABLE,
                "the scan schedule could not be stored", new IllegalStateException("db down at 10.0.0.7")), null);
        assertThat(response.getStatus()).isEqualTo(503);
        Problem problem = (Problem) response.getEntity();
        assertThat(problem.type()).isEqualTo("urn:trustfleet:problem:unavailable");
        assertThat(problem.detail()).isEqualTo("the scan schedule could not be stored").doesNotContain("10.0.0.7");
    }

    @Test
    void internalErrorsShowOnlyAReference() {
        Response response = mapper.trustfleet(new TrustfleetException(ErrorKind.INTERNAL,
                "secret internal state"), null);
        assertThat(response.getStatus()).isEqualTo(500);
        Problem problem = (Problem) response.getEntity();
        assertThat(problem.type()).isEqualTo("urn:trustfleet:problem:internal");
        assertThat(problem.detail()).startsWith("the server failed to handle this request; reference ")
                .doesNotContain("secret");
    }
}
