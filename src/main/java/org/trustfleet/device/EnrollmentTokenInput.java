package org.trustfleet.device;

import java.util.UUID;

/** The body of {@code POST /tenants/{t}/enrollment-tokens}. */
public record EnrollmentTokenInput(UUID deviceGroupId, Integer expiresInSeconds, Integer maxUses) {}
