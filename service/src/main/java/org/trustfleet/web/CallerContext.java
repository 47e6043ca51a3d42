package org.trustfleet.web;

import jakarta.enterprise.context.RequestScoped;
import org.trustfleet.tenant.Caller;

/** The authenticated caller of the current request, set by {@link AccessFilter}. */
@RequestScoped
public class CallerContext {
    private Caller caller;

    void set(Caller caller) {
        this.caller = caller;
    }

    public Caller caller() {
        if (caller == null) {
            throw new IllegalStateException("no authenticated caller on a public endpoint");
        }
        return caller;
    }
}
