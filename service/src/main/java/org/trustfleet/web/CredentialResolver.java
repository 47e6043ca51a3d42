package org.trustfleet.web;

import java.util.Optional;
import org.trustfleet.tenant.Caller;

/**
 * Turns a bearer token into a caller. Each kind of credential (API keys, device tokens) contributes one
 * implementation; the access filter asks each in turn.
 */
public interface CredentialResolver {
    /** The caller the token stands for, if this resolver knows it. May block (database). */
    Optional<Caller> resolve(String token);
}
