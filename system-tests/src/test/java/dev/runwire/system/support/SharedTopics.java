package dev.runwire.system.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The topics of {@link SharedSystem}, for services a test starts beside the shared ones, on a static
 * {@link IsolatedTopics} field or a parameter.
 */
@Target({ ElementType.FIELD, ElementType.PARAMETER })
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(SharedSystemExtension.class)
public @interface SharedTopics {
}
