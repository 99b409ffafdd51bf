package dev.runwire.api.error;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The surface a resource class speaks: its errors are rendered in that surface's envelope, and the authentication
 * filter asks for an API key unless the resource says it has its own way in. Every JAX-RS resource class carries one;
 * the request's path decides only for what no resource matched (the router's 404/405, {@link HttpEdge}).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ApiSurface {

    Surface value();

    /**
     * Whether a request needs an API key or a token ({@code x-api-key} or {@code Authorization: Bearer}); false for the
     * resources that check callers their own way (the admin token, an OAuth provider's redirect).
     */
    boolean apiKey() default true;
}
