package org.trustfleet.core;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A text field holds no control characters (a NUL byte, an escape, a CRLF in a name): they are refused with a 400
 * when the value enters a service, rather than reaching PostgreSQL (which refuses NUL with an error) or a log line,
 * a console page or a CSV export. The rule itself is {@link ControlCharacters}; {@code null} is valid (presence is
 * {@code @NotNull}'s business).
 */
@Documented
@Constraint(validatedBy = PlainText.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.TYPE_USE,
        ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface PlainText {
    String message() default "{org.trustfleet.core.PlainText.message}";

    /** Whether tab, line feed and carriage return are allowed (free text such as a note or a device's error). */
    boolean multiline() default false;

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Applies {@link ControlCharacters#find} to the value. */
    class Validator implements ConstraintValidator<PlainText, CharSequence> {
        private boolean multiline;

        @Override
        public void initialize(PlainText annotation) {
            multiline = annotation.multiline();
        }

        @Override
        public boolean isValid(CharSequence value, ConstraintValidatorContext context) {
            // only whitespace (a tab, a line feed) is blank: @NotBlank's sentence, or "absent" where optional
            return value == null || value.toString().isBlank() || ControlCharacters.find(value, multiline) < 0;
        }
    }
}
