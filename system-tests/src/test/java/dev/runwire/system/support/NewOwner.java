package dev.runwire.system.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A new owner on the shared api-service, on a static {@link SystemUnderTest.Owner} field or a parameter: tests never
 * see each other's data.
 */
@Target({ ElementType.FIELD, ElementType.PARAMETER })
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(SharedSystemExtension.class)
public @interface NewOwner {

    /**
     * GET actions to register for the owner, each on {@code /name/{id}} of the class's one {@link NewStub} field, as
     * integration {@code stub} ({@link SystemUnderTest#ownerWithActions}); static fields only.
     */
    String[] actions() default {};
}
