package org.trustfleet.tenant;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a credential may do: operators run the deployment, admins and consoles act within one tenant. */
public enum Role {
    OPERATOR,
    ADMIN,
    /** Read-only within a tenant, plus payload definitions for MDM consoles. */
    CONSOLE,
    /** One enrolled device. */
    DEVICE;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Role fromWire(String value) {
        for (Role role : values()) {
            if (role.wireName().equals(value)) {
                return role;
            }
        }
        return null;
    }
}
