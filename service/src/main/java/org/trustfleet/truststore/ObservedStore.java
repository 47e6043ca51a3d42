package org.trustfleet.truststore;

import java.util.List;
import java.util.Set;

/**
 * A system CA store devices reported, with what identifies where it comes from: the API level, the Conscrypt/mainline
 * module version and the manufacturer, and how many devices reported exactly this set.
 *
 * @param digest  SHA-256 over the sorted ids joined by commas (the set's identity; each distinct set is kept once)
 * @param sha256s the ids of the store's certificates (SHA-256 of the DER), sorted
 */
public record ObservedStore(int apiLevel, String mainlineVersion, String manufacturer, String digest,
        Set<String> sha256s, long devices) {

    public ObservedStore {
        sha256s = Set.copyOf(sha256s);
    }

    /** A name for reasons and listings: {@code observed:<manufacturer>/api-<level>/<mainline>/<digest prefix>}. */
    public String name() {
        return "observed:" + (manufacturer == null ? "unknown" : manufacturer) + "/api-" + apiLevel + "/"
                + (mainlineVersion == null ? "-" : mainlineVersion) + "/" + digest.substring(0, 12);
    }

    /** Sorted ids, for views. */
    public List<String> sortedIds() {
        return sha256s.stream().sorted().toList();
    }
}
