package org.trustfleet.policy;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Devices that share an Android API-level range, a management mode and the endpoints they must reach, plus the
 * admin's overrides: certificates always delivered ({@code include}) and never delivered ({@code exclude}).
 *
 * @param endpointIds the endpoints the group must reach; empty when it named none (every endpoint of the tenant)
 *                    or when those it named were all deleted (none): {@code DeviceGroupService.Coverage} tells
 * @param storeSource which device stores its requirements are computed for
 */
public record DeviceGroup(UUID id, UUID tenantId, String name, int minApiLevel, int maxApiLevel,
        ManagementMode managementMode, List<UUID> endpointIds, List<String> include, List<String> exclude,
        Instant createdAt, Instant updatedAt, StoreSource storeSource) {}
