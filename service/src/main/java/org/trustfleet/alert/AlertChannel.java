package org.trustfleet.alert;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A channel as the API shows it: never with its secret. {@code eventTypes} empty means every type. */
public record AlertChannel(UUID id, String name, ChannelKind kind, String url, String email,
        List<AlertEventType> eventTypes, Instant createdAt) {}
