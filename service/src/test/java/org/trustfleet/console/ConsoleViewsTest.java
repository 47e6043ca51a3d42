package org.trustfleet.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.trustfleet.console.Views.Cell;
import org.trustfleet.console.Views.CellState;

/** The words the console derives from the services' answers: level ranges and per-level reasons. */
class ConsoleViewsTest {

    @Test
    void levelsAreARangeAndSayWhenTheRangeHasGaps() {
        record Case(List<Integer> levels, String text) {}
        for (Case c : List.of(new Case(List.of(), ""), new Case(List.of(24), "API 24"),
                new Case(List.of(26, 24, 25), "API 24–26"), new Case(List.of(19, 21, 22), "API 19–22 (3 levels)"))) {
            assertThat(ConsoleViews.levels(c.levels())).as(c.levels().toString()).isEqualTo(c.text());
        }
    }

    @Test
    void reasonsAreOneLinePerRunOfLevelsWithTheSameStateAndReason() {
        List<Cell> cells = List.of(new Cell(23, CellState.NOT_FIXABLE, "expired"),
                new Cell(24, CellState.FIXABLE, "install abc"), new Cell(25, CellState.FIXABLE, "install abc"),
                new Cell(26, CellState.FIXABLE, "install def"), new Cell(27, CellState.TRUSTED, null),
                new Cell(28, CellState.TRUSTED, null));
        assertThat(ConsoleViews.reasons(cells)).containsExactly(
                "API 23: not fixable on the device: expired",
                "API 24–25: trusted once the group's certificates are installed: install abc",
                "API 26: trusted once the group's certificates are installed: install def",
                "API 27–28: trusted as presented");
        assertThat(ConsoleViews.reasons(List.of())).isEmpty();
    }
}
