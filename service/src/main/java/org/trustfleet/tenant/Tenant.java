package org.trustfleet.tenant;

import java.time.Instant;
import java.util.UUID;

/** A customer organisation whose endpoints, devices and keys are kept apart from every other tenant's. */
public record Tenant(UUID id, String name, Instant createdAt) {}
