package org.trustfleet.scan;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.trustfleet.pki.HostName;

/**
 * A host or server name as {@link HostName} defines it (a DNS name, an IPv4 dotted quad or an IPv6 literal, nothing
 * else), checked when the value enters a service so that the 400 names the field and says what is wrong without
 * repeating the value. {@code null} and blank are valid here: presence is {@code @NotBlank}'s business, and a blank
 * optional server name means "none".
 */
@Documented
@Constraint(validatedBy = ValidHost.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface ValidHost {
    String message() default "is not a valid host name";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Reports {@link HostName.InvalidHostException#reason()} as the violation's message. */
    class Validator implements ConstraintValidator<ValidHost, String> {
        private static final int MAX_LENGTH = 253;

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            if (value == null || value.isBlank() && value.chars().noneMatch(Character::isISOControl)
                    || value.length() > MAX_LENGTH) {
                return true; // absent, or already refused by @NotBlank / @Size: one sentence per problem
            }
            try {
                HostName.parse(value);
                return true;
            } catch (HostName.InvalidHostException e) {
                context.disableDefaultConstraintViolation();
                // the reason is our own fixed wording (never the value), and holds no message-template syntax
                context.buildConstraintViolationWithTemplate(e.reason()).addConstraintViolation();
                return false;
            }
        }
    }
}
