package org.trustfleet.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The compliance rule, state by state and in its precedence order. */
class ComplianceTest {
    static final Instant NOW = Instant.parse("2025-06-01T00:00:00Z");
    static final Duration STALE = Duration.ofDays(7);
    static final String A = "a".repeat(64);
    static final String B = "b".repeat(64);
    static final String C = "c".repeat(64);

    private static ComplianceView eval(Instant seen, Long desiredVersion, List<String> desired, Compliance.Report r) {
        return Compliance.evaluate(NOW, STALE, seen, desiredVersion, desired, r);
    }

    @Test
    void eachState() {
        assertThat(eval(NOW, 3L, List.of(A, B), new Compliance.Report(3, List.of(B, A), List.of())).state())
                .isEqualTo(ComplianceState.COMPLIANT);
        assertThat(eval(NOW, 3L, List.of(A), null).state()).isEqualTo(ComplianceState.PENDING);
        assertThat(eval(NOW, 3L, List.of(A), new Compliance.Report(2, List.of(A), List.of())).state())
                .isEqualTo(ComplianceState.PENDING);
        assertThat(eval(NOW, null, List.of(), new Compliance.Report(2, List.of(A), List.of())).state())
                .isEqualTo(ComplianceState.PENDING);
        ComplianceView drifted = eval(NOW, 3L, List.of(A, B), new Compliance.Report(3, List.of(A, C), List.of()));
        assertThat(drifted.state()).isEqualTo(ComplianceState.DRIFTED);
        assertThat(drifted.missing()).containsExactly(B);
        assertThat(drifted.unexpected()).containsExactly(C);
        ComplianceView failed = eval(NOW, 3L, List.of(A), new Compliance.Report(3, List.of(A),
                List.of(new ReportedFailure(A, "boom"))));
        assertThat(failed.state()).isEqualTo(ComplianceState.FAILED);
        assertThat(eval(NOW.minus(Duration.ofDays(8)), 3L, List.of(A),
                new Compliance.Report(3, List.of(A), List.of())).state()).isEqualTo(ComplianceState.STALE);
    }

    @Test
    void precedenceIsStaleThenPendingThenFailedThenDrifted() {
        Compliance.Report failingAndDrifting = new Compliance.Report(3, List.of(C),
                List.of(new ReportedFailure(A, "boom")));
        assertThat(eval(NOW, 3L, List.of(A), failingAndDrifting).state()).isEqualTo(ComplianceState.FAILED);
        assertThat(eval(NOW, 4L, List.of(A), failingAndDrifting).state()).isEqualTo(ComplianceState.PENDING);
        assertThat(eval(NOW.minus(Duration.ofDays(7)).minusSeconds(1), 4L, List.of(A), failingAndDrifting).state())
                .isEqualTo(ComplianceState.STALE);
        assertThat(eval(NOW.minus(Duration.ofDays(7)), 3L, List.of(C), new Compliance.Report(3, List.of(C),
                List.of())).state()).as("exactly stale-after ago is not stale yet")
                .isEqualTo(ComplianceState.COMPLIANT);
    }

    /**
     * What counting devices by their combination gives ({@link Compliance#state}) is what judging each device gives
     * ({@link Compliance#evaluate}), case by case.
     */
    @Test
    void theStateOfACombinationIsTheStateOfEachOfItsDevices() {
        List<Instant> seen = List.of(NOW, NOW.minus(STALE), NOW.minus(STALE).minusMillis(1));
        List<Long> desiredVersions = java.util.Arrays.asList(null, 3L);
        List<Compliance.Report> reports = java.util.Arrays.asList(null,
                new Compliance.Report(2, List.of(A), List.of()),
                new Compliance.Report(3, List.of(B, A), List.of()),
                new Compliance.Report(3, List.of(A), List.of()),
                new Compliance.Report(3, List.of(A, C), List.of()),
                new Compliance.Report(4, List.of(A, B), List.of(new ReportedFailure(A, "boom"))),
                new Compliance.Report(3, List.of(), List.of(new ReportedFailure(B, "boom"))));
        java.util.Set<ComplianceState> seenStates = java.util.EnumSet.noneOf(ComplianceState.class);
        for (Instant lastSeen : seen) {
            for (Long desiredVersion : desiredVersions) {
                for (Compliance.Report report : reports) {
                    ComplianceState each = eval(lastSeen, desiredVersion, List.of(A, B), report).state();
                    ComplianceState combined = Compliance.state(Compliance.stale(NOW, STALE, lastSeen),
                            desiredVersion, List.of(A, B), report == null ? null : report.payloadVersion(),
                            report == null ? List.of() : report.installed(),
                            report != null && !report.failures().isEmpty());
                    assertThat(combined).as("seen %s, desired %s, report %s", lastSeen, desiredVersion, report)
                            .isEqualTo(each);
                    seenStates.add(each);
                }
            }
        }
        assertThat(seenStates).as("the table reaches every state").containsExactlyInAnyOrder(
                ComplianceState.values());
    }
}
