package org.trustfleet.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The drift report's server fix keeps what each level's verdicts say, without the verdicts: the levels the proposed
 * chain fixes, and the levels it does not with each reason named once.
 */
class ServerFixSummaryTest {
    private static final String NO_PATH = "NO_PATH: issuer 'CN=Old Root' is neither presented nor a trust anchor";
    private static final String EXPIRED = "EXPIRED: 'CN=sts' expired";

    private static ServerFixAdvice.Level level(int apiLevel, boolean trusted, boolean asPresented, String failure) {
        return new ServerFixAdvice.Level(apiLevel, trusted, asPresented, failure);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("a cross-sign fixes the old levels, the new ones trusted either way",
                        List.of(level(24, true, false, null), level(21, true, false, null),
                                level(26, true, true, null)),
                        List.of(), List.of(21, 24), List.of()),
                Arguments.of("nothing fixed: one reason for every level",
                        List.of(level(21, false, false, NO_PATH), level(22, false, false, NO_PATH),
                                level(23, false, false, NO_PATH)),
                        List.of(21, 22, 23), List.of(),
                        List.of(new ServerFixSummary.NotFixed(NO_PATH, List.of(21, 22, 23)))),
                Arguments.of("two reasons, grouped, in the order of their lowest level; fixed levels apart",
                        List.of(level(30, false, false, NO_PATH), level(21, false, false, EXPIRED),
                                level(25, true, false, null), level(23, false, false, NO_PATH),
                                level(22, false, false, EXPIRED)),
                        List.of(21, 22, 23, 30), List.of(25),
                        List.of(new ServerFixSummary.NotFixed(EXPIRED, List.of(21, 22)),
                                new ServerFixSummary.NotFixed(NO_PATH, List.of(23, 30)))),
                Arguments.of("a stored scan without a reason keeps its levels under a null one",
                        List.of(level(21, false, false, null)), List.of(21), List.of(),
                        List.of(new ServerFixSummary.NotFixed(null, List.of(21)))),
                Arguments.of("a level that accepts only the presented chain is not fixed, and says why",
                        List.of(level(21, false, true, NO_PATH)), List.of(21), List.of(),
                        List.of(new ServerFixSummary.NotFixed(NO_PATH, List.of(21)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void summarises(String name, List<ServerFixAdvice.Level> levels, List<Integer> notFixed,
            List<Integer> expectedFixed, List<ServerFixSummary.NotFixed> expectedBecause) {
        List<String> chain = List.of("aa".repeat(32), "bb".repeat(32));
        ServerFixSummary summary = ServerFixSummary.of(new ServerFixAdvice(chain, true, levels, notFixed));
        assertThat(summary.chain()).isEqualTo(chain);
        assertThat(summary.changesPresented()).isTrue();
        assertThat(summary.levelsFixed()).isEqualTo(expectedFixed);
        assertThat(summary.levelsNotFixed()).isEqualTo(notFixed);
        assertThat(summary.notFixedBecause()).isEqualTo(expectedBecause);
    }
}
