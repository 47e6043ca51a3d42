package org.trustfleet.drift;

/** Why an endpoint's device verifications need an admin's attention although the scanner sees no such problem. */
public enum VerificationFlag {
    /**
     * The scanner judges the endpoint fixed for the group (its latest scan reached it and the group's requirements
     * leave nothing unresolved for it), yet devices of the group still reject its chain: their real stores differ
     * from what the service assumes (an OEM store, a missing delivery, a user who removed a certificate).
     */
    UNTRUSTED_ON_DEVICES,
    /**
     * Devices of the group cannot reach the endpoint while the scanner's latest scan did: a network-path problem on
     * the devices' side (a port blocked on their network, split DNS, a proxy).
     */
    NETWORK_PATH_PROBLEM
}
