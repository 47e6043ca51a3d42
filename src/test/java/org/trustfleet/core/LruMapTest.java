package org.trustfleet.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LruMapTest {

    @Test
    void forgetsTheLeastRecentlyUsedEntryFirst() {
        LruMap<String, Integer> map = new LruMap<>(2);
        map.put("a", 1);
        map.put("b", 2);
        map.get("a"); // a is now more recent than b
        map.put("c", 3);
        assertThat(map).containsOnlyKeys("a", "c");
    }

    @Test
    void zeroEntriesKeepsNothingAndNegativeIsRefused() {
        LruMap<String, Integer> none = new LruMap<>(0);
        none.put("a", 1);
        assertThat(none).isEmpty();
        assertThatThrownBy(() -> new LruMap<String, Integer>(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
