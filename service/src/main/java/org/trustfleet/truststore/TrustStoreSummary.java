package org.trustfleet.truststore;

/** A platform store as listed through the API: its identity, size, origin and whether it is in force. */
public record TrustStoreSummary(String name, String platform, int apiLevel, String source, int certificateCount,
        boolean effective, String provenance) {}
