package org.trustfleet.scan;

/** What an admin sends to create or replace an endpoint; checked by {@link EndpointService}. */
public record EndpointInput(String name, String host, Integer port, String serverName, Integer scanIntervalMinutes) {}
