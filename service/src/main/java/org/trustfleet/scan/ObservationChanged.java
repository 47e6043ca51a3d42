package org.trustfleet.scan;

import java.util.UUID;

/**
 * Fired after a scan was stored whose outcome differs from the endpoint's previous one (chain, status or
 * verdicts), so that derived results (device-group requirements) are recomputed for that endpoint only.
 */
public record ObservationChanged(UUID tenantId, UUID endpointId, UUID scanId) {}
