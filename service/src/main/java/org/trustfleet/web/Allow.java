package org.trustfleet.web;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.trustfleet.tenant.Role;

/**
 * The roles that may call a resource method. A method with neither this nor {@link PublicEndpoint} is refused
 * to everyone, so forgetting it fails closed.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Allow {
    Role[] value();
}
