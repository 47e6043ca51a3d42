package org.trustfleet.agent;

/** The agent's own copies of the small wire shapes it sends or reads besides the payload and the report. */
final class AgentMessages {

    private AgentMessages() {
    }

    /** The body of {@code POST /api/v1/enroll}. */
    record EnrollRequest(String enrollmentToken, String hardwareId, int apiLevel, String agentVersion) {
    }

    /** The fields of an RFC 9457 problem document the agent shows to its user. */
    record Problem(String title, String detail) {
    }
}
