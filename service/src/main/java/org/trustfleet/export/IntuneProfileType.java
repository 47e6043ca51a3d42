package org.trustfleet.export;

import java.util.Arrays;
import java.util.Optional;
import org.trustfleet.policy.ManagementMode;

/**
 * The Microsoft Graph (beta) trusted-certificate profile type a device group's devices take. Intune has one per
 * Android enrollment family: the device-owner type serves fully managed, dedicated and corporate-owned work-profile
 * (COPE) devices; personally owned work profiles have their own; AOSP devices theirs.
 */
public enum IntuneProfileType {
    DEVICE_OWNER("#microsoft.graph.androidDeviceOwnerTrustedRootCertificate"),
    WORK_PROFILE("#microsoft.graph.androidWorkProfileTrustedRootCertificate"),
    AOSP("#microsoft.graph.aospDeviceOwnerTrustedRootCertificate");

    private final String odataType;

    IntuneProfileType(String odataType) {
        this.odataType = odataType;
    }

    public String odataType() {
        return odataType;
    }

    /** The profile type for a group's ownership setting. */
    public static IntuneProfileType of(ManagementMode mode) {
        return switch (mode) {
            case FULLY_MANAGED, DEDICATED, CORPORATE_OWNED_WORK_PROFILE -> DEVICE_OWNER;
            case WORK_PROFILE -> WORK_PROFILE;
            case AOSP -> AOSP;
        };
    }

    /** The type of a profile read back from Graph, by its {@code @odata.type} (with or without the leading #). */
    public static Optional<IntuneProfileType> fromOdataType(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String wanted = value.startsWith("#") ? value : "#" + value;
        return Arrays.stream(values()).filter(t -> t.odataType.equals(wanted)).findFirst();
    }
}
