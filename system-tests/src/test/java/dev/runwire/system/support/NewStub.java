package dev.runwire.system.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A {@link Stub} of the test class's own on 127.0.0.1 (a static field, closed after the class) or of one test (a
 * parameter, closed after the test).
 */
@Target({ ElementType.FIELD, ElementType.PARAMETER })
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(SharedSystemExtension.class)
public @interface NewStub {

    /** The loopback address it listens on, e.g. {@code 127.0.0.2} for tests that refuse 127.0.0.1. */
    String host() default "127.0.0.1";
}
