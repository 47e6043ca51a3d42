package org.trustfleet.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A map that keeps at most a fixed number of entries (0: none) and forgets the least recently used one first: the one shape
 * of in-memory cache the service uses for values it can always recompute or reload (AIA fetches, endpoint analyses,
 * decoded certificates). Not thread-safe; callers guard it.
 */
public final class LruMap<K, V> extends LinkedHashMap<K, V> {
    private static final long serialVersionUID = 1L;
    private final int maxEntries;

    public LruMap(int maxEntries) {
        super(16, 0.75f, true);
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries must not be negative");
        }
        this.maxEntries = maxEntries;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > maxEntries;
    }
}
