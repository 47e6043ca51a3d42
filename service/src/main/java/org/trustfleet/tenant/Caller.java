package org.trustfleet.tenant;

import java.util.Optional;
import java.util.UUID;

/**
 * Who is calling, as established from the bearer token: the role, the tenant the credential belongs to (none for
 * operators) and the credential's own id (for audit and self-revocation checks).
 */
public record Caller(Role role, Optional<UUID> tenantId, UUID credentialId) {

    /** Whether this caller may see anything of {@code tenant}: operators see every tenant, others only their own. */
    public boolean canAccessTenant(UUID tenant) {
        return role == Role.OPERATOR || tenantId.map(tenant::equals).orElse(false);
    }
}
