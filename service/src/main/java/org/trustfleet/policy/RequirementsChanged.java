package org.trustfleet.policy;

import java.util.List;
import java.util.UUID;

/**
 * Fired in the recomputing transaction after groups' requirement sets got new versions (their certificate sets
 * changed): once per write, with every group that got one, so that what observers do per version (an alert event,
 * a cache invalidation) takes a statement per batch rather than per group. A store change that alters the sets of
 * 10,000 groups fires it once per batch of the sweep.
 */
public record RequirementsChanged(List<NewVersion> versions) {
    public RequirementsChanged {
        versions = List.copyOf(versions);
    }

    /** One group's new version; the name is the group's as the recompute read it. */
    public record NewVersion(UUID tenantId, UUID groupId, String groupName, long version) {}
}
