package org.trustfleet.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.trustfleet.agent.CaStore.Presence.ABSENT;
import static org.trustfleet.agent.CaStore.Presence.CONFLICT;
import static org.trustfleet.agent.CaStore.Presence.PRESENT;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The reconciliation rules as a table: listed, owned and found in the store in, installs, keeps and removals out. */
class ReconciliationPlanTest {

    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String C = "c".repeat(64);

    /** One row: the inputs and every field of the expected plan. */
    record Row(String name, List<String> listed, Set<String> owned, Map<String, CaStore.Presence> found,
            List<String> install, List<String> keep, List<String> remove, List<String> conflicts,
            List<String> journal, List<String> stillOwned) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> table() {
        return Stream.of(
                new Row("first payload on an empty store installs everything",
                        List.of(B, A), Set.of(), Map.of(),
                        List.of(B, A), List.of(), List.of(), List.of(), List.of(A, B), List.of()),
                new Row("an explicit ABSENT is the same as no entry",
                        List.of(A), Set.of(), Map.of(A, ABSENT),
                        List.of(A), List.of(), List.of(), List.of(), List.of(A), List.of()),
                new Row("nothing changed: owned and present is kept",
                        List.of(A), Set.of(A), Map.of(A, PRESENT),
                        List.of(), List.of(A), List.of(), List.of(), List.of(A), List.of(A)),
                new Row("present but installed by someone else is kept and not taken over",
                        List.of(A), Set.of(), Map.of(A, PRESENT),
                        List.of(), List.of(A), List.of(), List.of(), List.of(), List.of()),
                new Row("a certificate no longer listed is removed only when owned",
                        List.of(B), Set.of(A, B), Map.of(B, PRESENT),
                        List.of(), List.of(B), List.of(A), List.of(), List.of(A, B), List.of(B)),
                new Row("an owned file that was deleted behind the agent's back is written again",
                        List.of(A), Set.of(A), Map.of(A, ABSENT),
                        List.of(A), List.of(), List.of(), List.of(), List.of(A), List.of()),
                new Row("an owned file that was damaged is rewritten",
                        List.of(A), Set.of(A), Map.of(A, CONFLICT),
                        List.of(A), List.of(), List.of(), List.of(), List.of(A), List.of()),
                new Row("a foreign file in the slot is a conflict and left alone",
                        List.of(A, B), Set.of(), Map.of(A, CONFLICT),
                        List.of(B), List.of(), List.of(), List.of(A), List.of(B), List.of()),
                new Row("an empty payload removes everything owned and nothing else",
                        List.of(), Set.of(C, A), Map.of(),
                        List.of(), List.of(), List.of(A, C), List.of(), List.of(A, C), List.of()),
                new Row("a certificate listed twice is planned once",
                        List.of(A, A), Set.of(), Map.of(),
                        List.of(A), List.of(), List.of(), List.of(), List.of(A), List.of()),
                new Row("all at once",
                        List.of(C, A, B), Set.of(A, B, "d".repeat(64)), Map.of(A, PRESENT, B, CONFLICT, C, CONFLICT),
                        List.of(B), List.of(A), List.of("d".repeat(64)), List.of(C),
                        List.of(A, B, "d".repeat(64)), List.of(A)))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void plans(Row row) {
        ReconciliationPlan plan = ReconciliationPlan.of(row.listed(), row.owned(), row.found());

        assertThat(plan.install()).as("install").containsExactlyElementsOf(row.install());
        assertThat(plan.keep()).as("keep").containsExactlyElementsOf(row.keep());
        assertThat(plan.remove()).as("remove").containsExactlyElementsOf(row.remove());
        assertThat(plan.conflicts()).as("conflicts").containsExactlyElementsOf(row.conflicts());
        assertThat(plan.journal()).as("journal").containsExactlyElementsOf(row.journal());
        assertThat(plan.stillOwned()).as("stillOwned").containsExactlyElementsOf(row.stillOwned());
    }
}
