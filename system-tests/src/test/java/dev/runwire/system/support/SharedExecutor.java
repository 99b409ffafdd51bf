package dev.runwire.system.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The executor-service of {@link SharedSystem} (started with its api-service on first use), on a static
 * {@link ServiceProcess} field or a parameter.
 */
@Target({ ElementType.FIELD, ElementType.PARAMETER })
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(SharedSystemExtension.class)
public @interface SharedExecutor {
}
