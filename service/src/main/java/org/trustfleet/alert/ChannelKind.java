package org.trustfleet.alert;

/** How a channel delivers: a signed JSON webhook, a Slack or Teams incoming webhook, or e-mail. */
public enum ChannelKind {
    WEBHOOK, SLACK, TEAMS, EMAIL
}
