package org.trustfleet.alert;

/** Where a delivery stands: still to be (re)tried, accepted by the receiver, or given up after the maximum age. */
public enum DeliveryStatus {
    PENDING, DELIVERED, FAILED
}
