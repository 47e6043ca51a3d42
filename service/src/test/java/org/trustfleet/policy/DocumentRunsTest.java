package org.trustfleet.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How the sweep's write splits a batch's documents into statements ({@link RequirementsService#runEnds}): by their
 * bytes, and by their count, since each document is six of a statement's parameters.
 */
class DocumentRunsTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("no documents: no statement", List.of(), 10, 5, List.of()),
                Arguments.of("all fit in one", List.of(3, 3, 4), 10, 5, List.of(3)),
                Arguments.of("the budget reached exactly stays one run", List.of(5, 5), 10, 5, List.of(2)),
                Arguments.of("one byte over starts the next", List.of(5, 6), 10, 5, List.of(1, 2)),
                Arguments.of("runs restart from zero", List.of(6, 4, 6, 4, 6), 10, 5, List.of(2, 4, 5)),
                Arguments.of("a document over the budget goes alone", List.of(2, 25, 2), 10, 5, List.of(1, 2, 3)),
                Arguments.of("one document over the budget", List.of(25), 10, 5, List.of(1)),
                Arguments.of("the most documents reached exactly stays one run", List.of(1, 1, 1), 10, 3,
                        List.of(3)),
                Arguments.of("one document over the most starts the next", List.of(1, 1, 1, 1), 10, 3,
                        List.of(3, 4)),
                Arguments.of("the count restarts with the budget", List.of(8, 3, 1, 1, 1), 10, 3, List.of(1, 4, 5)),
                Arguments.of("one document a run", List.of(1, 1, 1), 10, 1, List.of(1, 2, 3)),
                Arguments.of("a batch of 64 sweep documents of 7 KB",
                        Collections.nCopies(64, 7_042), RequirementsService.DOCUMENT_BYTES_PER_STATEMENT,
                        RequirementsService.DOCUMENTS_PER_STATEMENT, List.of(27, 54, 64)),
                Arguments.of("2,500 tiny documents stay within the parameters a statement takes",
                        Collections.nCopies(2_500, 40), RequirementsService.DOCUMENT_BYTES_PER_STATEMENT,
                        RequirementsService.DOCUMENTS_PER_STATEMENT, List.of(1_000, 2_000, 2_500)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void runsEndWhereTheNextDocumentWouldPassTheBudgetOrTheCount(String name, List<Integer> sizes, long budget,
            int most, List<Integer> ends) {
        assertThat(RequirementsService.runEnds(sizes, budget, most)).containsExactlyElementsOf(ends);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyRunStaysWithinTheBudgetUnlessItIsOneDocumentAndWithinTheCount(String name, List<Integer> sizes,
            long budget, int most, List<Integer> ends) {
        int from = 0;
        for (int to : RequirementsService.runEnds(sizes, budget, most)) {
            assertThat(to).isGreaterThan(from);
            assertThat(to - from).as("documents in run [%d, %d)", from, to).isLessThanOrEqualTo(most);
            long bytes = sizes.subList(from, to).stream().mapToLong(Integer::longValue).sum();
            assertThat(bytes <= budget || to - from == 1).as("run [%d, %d) of %d bytes", from, to, bytes).isTrue();
            from = to;
        }
        assertThat(from).isEqualTo(sizes.size());
    }
}
