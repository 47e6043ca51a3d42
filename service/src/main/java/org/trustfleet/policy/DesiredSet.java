package org.trustfleet.policy;

import java.util.List;

/**
 * The version of a group's requirements and the SHA-256 fingerprints of the certificates it delivers: all that device
 * compliance compares a report with. Small on purpose: a group's full requirements (server fixes and problems per
 * endpoint) can run to megabytes for a tenant with a thousand endpoints, and every page of devices needs only this.
 */
public record DesiredSet(long version, List<String> sha256s) {
    public DesiredSet {
        sha256s = List.copyOf(sha256s);
    }
}
