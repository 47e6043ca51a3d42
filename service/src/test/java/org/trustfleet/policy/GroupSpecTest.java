package org.trustfleet.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A group's API-level range is inclusive at both ends, and a range that ends before it starts is refused. */
class GroupSpecTest {

    static GroupSpec group(int min, int max) {
        return new GroupSpec(UUID.randomUUID(), min, max, ManagementMode.FULLY_MANAGED, Set.of(), Set.of(), Set.of());
    }

    @ParameterizedTest(name = "[{0}, {1}] covers {2}: {3}")
    @CsvSource({
            "24, 34, 23, false",
            "24, 34, 24, true",
            "24, 34, 30, true",
            "24, 34, 34, true",
            "24, 34, 35, false",
            "30, 30, 30, true",
            "30, 30, 29, false",
            "30, 30, 31, false",
    })
    void aLevelIsCoveredExactlyWithinTheInclusiveRange(int min, int max, int level, boolean covered) {
        assertThat(group(min, max).coversLevel(level)).isEqualTo(covered);
    }

    @Test
    void aRangeThatEndsBeforeItStartsIsRefused() {
        assertThatThrownBy(() -> group(31, 30)).isInstanceOf(IllegalArgumentException.class);
    }
}
