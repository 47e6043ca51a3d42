package org.trustfleet.scan;

import java.util.UUID;

/**
 * Fired inside the transaction that stores every scan (changed or not), so that what must be written together with
 * the scan (alert events in the outbox) commits or rolls back with it. {@code change} is null when the presented
 * chain did not change.
 */
public record ScanRecorded(UUID tenantId, ScanResult result, ChainChange change) {}
