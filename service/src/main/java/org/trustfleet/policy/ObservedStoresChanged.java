package org.trustfleet.policy;

import java.util.UUID;

/**
 * A device of the group reported a system store that differs from its previous one: a group that computes its
 * requirements for observed stores is recomputed.
 */
public record ObservedStoresChanged(UUID tenantId, UUID groupId) {}
