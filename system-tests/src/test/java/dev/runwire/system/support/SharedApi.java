package dev.runwire.system.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The api-service of {@link SharedSystem} (which starts it, with its executor-service, on first use), on a static
 * {@link ServiceProcess} field or a parameter.
 */
@Target({ ElementType.FIELD, ElementType.PARAMETER })
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(SharedSystemExtension.class)
public @interface SharedApi {
}
