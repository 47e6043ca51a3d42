package org.trustfleet.alert;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The answer to creating a channel: the channel plus, for a webhook, its signing secret, shown this once. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CreatedChannel(UUID id, String name, ChannelKind kind, String url, String email,
        List<AlertEventType> eventTypes, Instant createdAt, String secret) {

    static CreatedChannel of(AlertChannel c, String secret) {
        return new CreatedChannel(c.id(), c.name(), c.kind(), c.url(), c.email(), c.eventTypes(), c.createdAt(),
                secret);
    }
}
