package org.trustfleet.agent;

import java.util.Objects;

/** One entry of a report's {@code failures[]}: the certificate and a short, human-readable error. */
public final class ReportFailure {

    private final String sha256;
    private final String error;

    public ReportFailure(String sha256, String error) {
        this.sha256 = Objects.requireNonNull(sha256, "sha256");
        this.error = Objects.requireNonNull(error, "error");
    }

    public String sha256() {
        return sha256;
    }

    public String error() {
        return error;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReportFailure && ((ReportFailure) o).sha256.equals(sha256)
                && ((ReportFailure) o).error.equals(error);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sha256, error);
    }

    @Override
    public String toString() {
        return "ReportFailure[" + sha256 + ": " + error + "]";
    }
}
