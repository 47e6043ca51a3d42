package org.trustfleet.policy;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.UUID;
import org.hibernate.validator.constraints.Range;
import org.trustfleet.core.PlainText;

/**
 * What an admin sends to create or replace a device group. The constraints are checked when it enters
 * {@link DeviceGroupService}, which checks in code what needs the database or more than one field.
 */
public record DeviceGroupInput(
        @NotBlank @Size(max = 200) @PlainText String name,
        @NotNull @Range(min = DeviceGroupService.MIN_LEVEL, max = DeviceGroupService.MAX_LEVEL) Integer minApiLevel,
        @NotNull @Range(min = DeviceGroupService.MIN_LEVEL, max = DeviceGroupService.MAX_LEVEL) Integer maxApiLevel,
        String managementMode, List<UUID> endpointIds, List<String> include, List<String> exclude,
        String storeSource) {

    /** An input without {@code storeSource} (BUNDLED). */
    public DeviceGroupInput(String name, Integer minApiLevel, Integer maxApiLevel, String managementMode,
            List<UUID> endpointIds, List<String> include, List<String> exclude) {
        this(name, minApiLevel, maxApiLevel, managementMode, endpointIds, include, exclude, null);
    }
}
