package org.trustfleet.testing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.Comparator;
import java.util.List;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * The service's request-body reading without starting Quarkus: an {@link ObjectMapper} configured as Quarkus
 * configures it from {@code application.properties} (unknown fields fail, dates as text, the modules Quarkus
 * registers), then every {@link ObjectMapperCustomizer} of the application in priority order; and a Bean Validation
 * {@link Validator} for the input records' constraints. For tests (fuzzing) that need many thousands of decodes per
 * second.
 */
public final class ServiceJson {
    private ServiceJson() {}

    public static ObjectMapper mapper() {
        ObjectMapper mapper = new ObjectMapper()
                .registerModules(new Jdk8Module(), new JavaTimeModule(), new ParameterNamesModule())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES) // quarkus.jackson.fail-on-unknown-properties
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS); // quarkus.jackson.write-dates-as-timestamps
        for (ObjectMapperCustomizer customizer : applicationCustomizers()) {
            customizer.customize(mapper);
        }
        return mapper;
    }

    public static Validator validator() {
        return Validation.byDefaultProvider().configure()
                .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator();
    }

    /** The application's own customizers (beans in Quarkus), found on the class path, highest priority first. */
    private static List<ObjectMapperCustomizer> applicationCustomizers() {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.trustfleet").stream()
                .filter(c -> c.isAssignableTo(ObjectMapperCustomizer.class))
                .filter(c -> !c.getModifiers().contains(com.tngtech.archunit.core.domain.JavaModifier.ABSTRACT))
                .map(JavaClass::reflect).map(ServiceJson::instantiate)
                .sorted(Comparator.comparingInt(ObjectMapperCustomizer::priority).reversed()).toList();
    }

    private static ObjectMapperCustomizer instantiate(Class<?> type) {
        try {
            Constructor<?> constructor = type.getDeclaredConstructor();
            if (!Modifier.isPublic(constructor.getModifiers())) {
                constructor.setAccessible(true);
            }
            return (ObjectMapperCustomizer) constructor.newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(type.getName() + " needs a no-argument constructor to be used in tests", e);
        }
    }
}
