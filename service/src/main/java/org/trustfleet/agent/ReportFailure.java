package org.trustfleet.agent;

/** One entry of a report's {@code failures[]}: the certificate and a short, human-readable error. */
public record ReportFailure(String sha256, String error) {
}
