package org.trustfleet.scan;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;

/** Writes sets of API levels the way people read them: "19–24, 26". */
public final class ApiLevels {
    private ApiLevels() {}

    public static String describe(SortedSet<Integer> levels) {
        List<String> ranges = new ArrayList<>();
        Integer start = null;
        Integer previous = null;
        for (int level : levels) {
            if (start == null) {
                start = level;
            } else if (level != previous + 1) {
                ranges.add(range(start, previous));
                start = level;
            }
            previous = level;
        }
        if (start != null) {
            ranges.add(range(start, previous));
        }
        return String.join(", ", ranges);
    }

    private static String range(int from, int to) {
        return from == to ? Integer.toString(from) : from + "–" + to;
    }
}
