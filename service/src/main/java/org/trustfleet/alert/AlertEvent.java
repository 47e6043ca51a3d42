package org.trustfleet.alert;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One alert event as every channel receives it (the webhook body is exactly this). {@code id} is the idempotency
 * key: a receiver that sees an id twice has seen the same event twice. {@code summary} is plain text that may hold
 * names taken from scanned servers; each rendering escapes it for its format.
 */
public record AlertEvent(UUID id, UUID tenantId, AlertEventType type, Instant occurredAt, String summary,
        String consoleUrl, String apiUrl, Map<String, Object> data) {}
