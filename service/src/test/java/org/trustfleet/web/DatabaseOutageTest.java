package org.trustfleet.web;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.persistence.PersistenceException;
import jakarta.transaction.RollbackException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.trustfleet.core.ErrorKind;

/** Which failures are a database outage (503 with Retry-After) and which stay internal errors (500). */
class DatabaseOutageTest {

    static Stream<Arguments> failures() {
        SQLException refused = new SQLException("Connection to localhost:5432 refused", "08001");
        return Stream.of(
                Arguments.of("connection refused, wrapped by the pool and a service",
                        new IllegalStateException("cannot store the device report",
                                new SQLException("Exception while creating new connection", refused)), true),
                Arguments.of("I/O error on a pooled connection, wrapped by Hibernate",
                        new PersistenceException(new SQLException("An I/O error occurred", "08006")), true),
                Arguments.of("server shut down by the administrator", new SQLException("terminating", "57P01"), true),
                Arguments.of("server starting up", new SQLException("the database system is starting up", "57P03"),
                        true),
                Arguments.of("pool acquisition timeout", new SQLException(
                        "Acquisition timeout while waiting for new connection", new TimeoutException()), true),
                Arguments.of("a commit that lost its connection (the reason only suppressed, as Narayana reports it)",
                        commitLostItsConnection(), true),
                Arguments.of("transient connection exception", new SQLTransientConnectionException("gone"), true),
                Arguments.of("unique violation", new SQLException("duplicate key", "23505"), false),
                Arguments.of("syntax error", new IllegalStateException(new SQLException("syntax", "42601")), false),
                Arguments.of("no SQL at all", new IllegalStateException("boom"), false),
                Arguments.of("a timeout that is not the pool's", new TimeoutException(), false));
    }

    private static Throwable commitLostItsConnection() {
        RollbackException rollback = new RollbackException("ARJUNA016053: Could not commit transaction.");
        XAException xa = new XAException(XAException.XAER_RMFAIL);
        xa.initCause(new SQLException("FATAL: terminating connection due to administrator command", "57P01"));
        rollback.addSuppressed(xa);
        return new IllegalStateException("cannot store the device report", rollback);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void tellsAnOutageFromOtherFailures(String name, Throwable failure, boolean outage) {
        assertThat(DatabaseOutage.causedBy(failure)).isEqualTo(outage);
        ProblemMapper.Rendered rendered = ProblemMapper.render(failure, "/api/v1/device/reports");
        if (outage) {
            assertThat(rendered.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
            assertThat(rendered.body().status()).isEqualTo(503);
            assertThat(rendered.body().detail()).doesNotContain("SQL", "Exception", "localhost");
            assertThat(rendered.headers()).containsEntry("Retry-After", "5");
        } else {
            assertThat(rendered.kind()).isEqualTo(ErrorKind.INTERNAL);
            assertThat(rendered.headers()).doesNotContainKey("Retry-After");
        }
    }

    @Test
    void aCauseCycleEnds() {
        SQLException a = new SQLException("a", "42000");
        SQLException b = new SQLException("b", "42000", a);
        a.initCause(b);
        assertThat(DatabaseOutage.causedBy(a)).isFalse();
    }
}
