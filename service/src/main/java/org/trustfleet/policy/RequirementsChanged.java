package org.trustfleet.policy;

import java.util.UUID;

/** Fired after a group's requirement set got a new version (its certificate set changed). */
public record RequirementsChanged(UUID tenantId, UUID groupId, long version) {}
