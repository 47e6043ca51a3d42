package org.trustfleet.web;

import org.trustfleet.core.TrustfleetException;

/** Request-body checks common to every resource. */
final class Bodies {
    private Bodies() {}

    /** JAX-RS hands an empty body to the method as null; that is a client error, not a NullPointerException. */
    static <T> T required(T body) {
        if (body == null) {
            throw TrustfleetException.validation("a JSON request body is required");
        }
        return body;
    }
}
