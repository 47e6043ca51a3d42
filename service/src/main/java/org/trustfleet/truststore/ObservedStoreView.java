package org.trustfleet.truststore;

import java.util.List;

/**
 * An observed store as a tenant's admin sees it: where it comes from, how many of the tenant's devices reported it,
 * and how it differs from the platform store that stands for its API level (roots an OEM or a mainline update added
 * or removed).
 *
 * @param comparedWith the platform store compared with, null when none stands for the level
 * @param added        ids in the observed store but not in {@code comparedWith}, sorted
 * @param removed      ids in {@code comparedWith} but not in the observed store, sorted
 */
public record ObservedStoreView(String name, int apiLevel, String mainlineVersion, String manufacturer, String digest,
        int size, long devices, String comparedWith, List<String> added, List<String> removed) {}
