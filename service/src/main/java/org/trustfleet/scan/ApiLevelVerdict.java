package org.trustfleet.scan;

import java.util.List;

/**
 * Would a stock device of this API level accept the chain as the server presents it, and if not, which
 * certificate it would have to hold.
 *
 * @param trusted true only when every known state of the level accepts the chain
 * @param states  the verdict of each known state of the level (first release first) when it has several, so that
 *                "trusted on early builds only" shows; empty when the level has one state
 */
public record ApiLevelVerdict(int apiLevel, String store, boolean trusted, List<String> missing, String failure,
        List<StateVerdict> states) {

    public ApiLevelVerdict {
        missing = missing == null ? List.of() : List.copyOf(missing);
        states = states == null ? List.of() : List.copyOf(states);
    }

    /** A verdict for a level with one known state. */
    public ApiLevelVerdict(int apiLevel, String store, boolean trusted, List<String> missing, String failure) {
        this(apiLevel, store, trusted, missing, failure, List.of());
    }

    /** One state of the level (a named store: first release, or a later security or mainline update). */
    public record StateVerdict(String store, boolean trusted, String failure) {}
}
