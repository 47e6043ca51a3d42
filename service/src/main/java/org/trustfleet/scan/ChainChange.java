package org.trustfleet.scan;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A change of the chain an endpoint presents between two scans, kept for drift reports. */
public record ChainChange(UUID endpointId, UUID scanId, UUID previousScanId, Instant occurredAt, Kind kind,
        List<String> previousChain, List<String> newChain) {

    /** What changed, from the device's point of view. */
    public enum Kind {
        /** Only the leaf differs: a routine renewal. */
        LEAF_RENEWED,
        /** The intermediates sent differ (swapped, added or dropped). */
        INTERMEDIATE_CHANGED,
        /** The chain now ends at another root. */
        ROOT_CHANGED,
        /** Same certificates, other order or count. */
        REORDERED
    }

    static Kind classify(List<String> previous, List<String> current, String previousRoot, String currentRoot) {
        if (previousRoot != null && currentRoot != null && !previousRoot.equals(currentRoot)) {
            return Kind.ROOT_CHANGED;
        }
        List<String> previousRest = previous.size() > 1 ? previous.subList(1, previous.size()) : List.of();
        List<String> currentRest = current.size() > 1 ? current.subList(1, current.size()) : List.of();
        if (!previousRest.equals(currentRest)) {
            return java.util.Set.copyOf(previous).equals(java.util.Set.copyOf(current)) ? Kind.REORDERED
                    : Kind.INTERMEDIATE_CHANGED;
        }
        return previous.isEmpty() || current.isEmpty() || !previous.get(0).equals(current.get(0))
                ? Kind.LEAF_RENEWED : Kind.REORDERED;
    }
}
