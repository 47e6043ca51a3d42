package org.trustfleet.policy;

import java.util.List;
import java.util.UUID;

/** What an admin sends to create or replace a device group; checked by {@link DeviceGroupService}. */
public record DeviceGroupInput(String name, Integer minApiLevel, Integer maxApiLevel, String managementMode,
        List<UUID> endpointIds, List<String> include, List<String> exclude) {}
