package org.trustfleet.alert;

import java.time.Instant;
import java.util.UUID;

/**
 * One delivery of one event to one channel as {@code GET /tenants/{t}/alert-deliveries} lists it. {@code seq} orders
 * deliveries (newest has the highest) and is the paging cursor.
 */
public record AlertDelivery(long seq, UUID id, UUID eventId, AlertEventType eventType, String summary,
        UUID channelId, String channelName, DeliveryStatus status, int attempts, Instant createdAt,
        Instant lastAttemptAt, Instant nextAttemptAt, Instant finishedAt, Integer lastHttpStatus, String lastError) {}
