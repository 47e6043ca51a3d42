package org.trustfleet.policy;

/**
 * One certificate whose installation alone makes an endpoint validate on an API level.
 *
 * @param presentedByServer whether the server already sends it (then it is an anchor above which the path failed,
 *                          not a missing certificate)
 */
public record Fix(String sha256, ReasonCode reason, CertificateRole role, boolean presentedByServer) {
}
