package org.trustfleet.alert;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.trustfleet.core.PlainText;

/**
 * What an admin sends to create a channel: {@code url} for WEBHOOK, SLACK and TEAMS, {@code email} for EMAIL;
 * {@code eventTypes} absent or empty subscribes to every type.
 */
public record AlertChannelInput(
        @NotBlank @Size(max = 200) @PlainText String name,
        @NotNull ChannelKind kind,
        @Size(max = 2000) String url,
        @Size(max = 254) String email,
        @Size(max = 20) List<@NotNull AlertEventType> eventTypes) {}
