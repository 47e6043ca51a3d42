package org.trustfleet.tenant;

/** A freshly created key together with its bearer token, which exists only in this value and is shown once. */
public record IssuedApiKey(ApiKey key, String token) {}
