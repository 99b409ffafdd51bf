package dev.runwire.api.error;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.jackson.ObjectMapperCustomizer;
import io.quarkus.runtime.configuration.MemorySize;

/**
 * Explicit bounds on every request body the mapper of Quarkus REST parses, and duplicate keys refused (a 400 naming the
 * key, rather than one of the two values silently winning). Bounds, chosen for this API:
 * <ul>
 * <li>nesting depth {@value #MAX_NESTING_DEPTH}: action schemas and free-form inputs nest legitimately (each level of a
 * JSON Schema's {@code properties} is two levels of JSON, and the request adds one or two around it), so 64 would cut
 * real schemas of ~30 levels; 100 leaves room for those while keeping recursion far from any stack limit;</li>
 * <li>a string at most the body limit (a string cannot be longer than the body anyway: the bound is said, not
 * hoped);</li>
 * <li>a number at most {@value #MAX_NUMBER_LENGTH} characters: any int64, double or decimal amount fits, and no
 * thousand-digit number is ever converted;</li>
 * <li>a key at most {@value #MAX_NAME_LENGTH} characters;</li>
 * <li>a document at most the body limit ({@code quarkus.http.limits.max-body-size}), the same bound as the HTTP
 * layer's.</li>
 * </ul>
 */
@Singleton
public class JsonLimits implements ObjectMapperCustomizer {

    /** Deepest nesting of arrays and objects in a request body. */
    public static final int MAX_NESTING_DEPTH = 100;
    /** Longest string value, in characters: the body limit, 1 MiB. */
    public static final int MAX_STRING_LENGTH = 1024 * 1024;
    /** Longest number, in characters. */
    public static final int MAX_NUMBER_LENGTH = 100;
    /** Longest key, in characters. */
    public static final int MAX_NAME_LENGTH = 4096;

    private final long maxBodySize;

    JsonLimits(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.maxBodySize = maxBodySize.asLongValue();
    }

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxStringLength(MAX_STRING_LENGTH).maxNumberLength(MAX_NUMBER_LENGTH)
                        .maxNameLength(MAX_NAME_LENGTH).maxDocumentLength(maxBodySize).build());
        mapper.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        // "{...}}{" is not one JSON document: refused, not read up to its first value
        mapper.enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }
}
