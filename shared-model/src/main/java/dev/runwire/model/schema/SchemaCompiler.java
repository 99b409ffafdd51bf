package dev.runwire.model.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.everit.json.schema.SchemaException;
import org.everit.json.schema.loader.SchemaClient;
import org.everit.json.schema.loader.SchemaLoader;
import org.everit.json.schema.regexp.RE2JRegexpFactory;
import org.json.JSONObject;

import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.json.Json;

/**
 * Compiles JSON Schema draft 7 with everit. Nothing is ever fetched: the draft-07 meta-schema is served from the
 * classpath, {@code $id}s inside the schema resolve locally, and any other remote {@code $ref} is refused. A schema is
 * also checked against the meta-schema, so a misspelt keyword value ({@code "type": 12}) is an error instead of a
 * silently ignored keyword. Before any of that, a schema is held to {@link SchemaLimits} ({@link SchemaBounds}), and
 * compiling runs within a time budget. Patterns run on RE2 (linear time). Thread-safe.
 */
public final class SchemaCompiler {

    private static final String META_RESOURCE = "/dev/runwire/model/schema/draft-07-schema.json";
    private static final List<String> META_URIS = List.of("http://json-schema.org/draft-07/schema",
            "http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft-07/schema",
            "https://json-schema.org/draft-07/schema#");
    private static final String META_JSON = readMetaSchema();
    private static final Set<String> META_URI_SET = Set.copyOf(META_URIS);
    private static final CompiledSchema META_SCHEMA = new CompiledSchema(
            builder(new JSONObject(META_JSON)).build().load().build());

    /** Compiles a schema given as JSON text, within {@link SchemaLimits#DEFAULT_BUDGET}. */
    public CompiledSchema compile(String schemaJson) {
        return compile(schemaJson, SchemaLimits.DEFAULT_BUDGET);
    }

    /** Compiles a schema given as JSON text (as stored), within {@code budget}. */
    public CompiledSchema compile(String schemaJson, Duration budget) {
        JsonNode parsed;
        try {
            parsed = Json.mapper().readTree(schemaJson);
        } catch (StreamConstraintsException e) {
            throw new SchemaTooComplexException("the schema exceeds the JSON bounds: " + e.getOriginalMessage(), "");
        } catch (IOException | RuntimeException e) {
            throw new InvalidSchemaException("the schema is not valid JSON");
        }
        if (parsed == null || parsed.isMissingNode()) {
            throw new InvalidSchemaException("the schema is not valid JSON");
        }
        return compile(parsed, budget);
    }

    /** Compiles a schema given as a Jackson tree, within {@link SchemaLimits#DEFAULT_BUDGET}. */
    public CompiledSchema compile(JsonNode schema) {
        return compile(schema, SchemaLimits.DEFAULT_BUDGET);
    }

    /**
     * Compiles a schema given as a Jackson tree. The schema is first held to {@link SchemaLimits}, then checked against
     * the meta-schema, then loaded.
     *
     * @throws InvalidSchemaException
     *             when the schema cannot be used (its {@link SchemaRefusedException#code() code} says why)
     * @throws SchemaTooCostlyException
     *             when compiling takes longer than {@code budget}
     */
    public CompiledSchema compile(JsonNode schema, Duration budget) {
        Deadline deadline = Deadline.in(budget);
        try {
            return compileBounded(schema, deadline);
        } catch (StackOverflowError e) {
            throw new SchemaTooCostlyException("compiling the schema nests too deeply");
        }
    }

    private CompiledSchema compileBounded(JsonNode schema, Deadline deadline) {
        if (!schema.isObject() && !schema.isBoolean()) {
            throw new InvalidSchemaException("a schema must be an object or a boolean");
        }
        SchemaBounds.check(schema, META_URI_SET);
        if (schema.isObject()) {
            List<Violation> violations = META_SCHEMA.validate(schema, deadline);
            if (!violations.isEmpty()) {
                Violation first = violations.get(0);
                throw new InvalidSchemaException("invalid_schema",
                        "the schema is not valid draft 7 at '" + first.pointer() + "': " + first.message(),
                        first.pointer());
            }
        }
        try {
            CompiledSchema compiled = new CompiledSchema(loader(schema, deadline).load().build());
            deadline.check();
            return compiled;
        } catch (SchemaRefusedException e) {
            throw e;
        } catch (SchemaException e) {
            throw new InvalidSchemaException("the schema is not valid draft 7: " + e.getMessage());
        } catch (RuntimeException e) {
            RemoteRefRefusedException refused = findRefusal(e);
            if (refused != null) {
                throw refused;
            }
            throw new InvalidSchemaException("the schema cannot be compiled: " + e.getMessage());
        }
    }

    private static SchemaLoader loader(JsonNode schema, Deadline deadline) {
        SchemaLoader.SchemaLoaderBuilder builder = builder(OrgJson.forLoader(schema, deadline));
        if (schema.isObject()) {
            LocalIds.collect((JSONObject) OrgJson.from(schema)).forEach(builder::registerSchemaByURI);
        }
        return builder.build();
    }

    private static SchemaLoader.SchemaLoaderBuilder builder(Object schema) {
        // RE2 everywhere a pattern runs: pattern, patternProperties and the meta-schema's format "regex"
        SchemaLoader.SchemaLoaderBuilder builder = SchemaLoader.builder().draftV7Support()
                .regexpFactory(new RE2JRegexpFactory()).enableOverrideOfBuiltInFormatValidators()
                .addFormatValidator(new Re2jRegexFormat()).schemaClient(new RefusingClient()).schemaJson(schema);
        for (String uri : META_URIS) {
            builder.registerSchemaByURI(URI.create(uri), new JSONObject(META_JSON));
        }
        return builder;
    }

    private static RemoteRefRefusedException findRefusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RemoteRefRefusedException refused) {
                return refused;
            }
        }
        return null;
    }

    private static String readMetaSchema() {
        try (InputStream in = SchemaCompiler.class.getResourceAsStream(META_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + META_RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Serves the meta-schema from memory and refuses every other URL without connecting. */
    private static final class RefusingClient implements SchemaClient {
        @Override
        public InputStream get(String url) {
            String bare = url.endsWith("#") ? url.substring(0, url.length() - 1) : url;
            if (META_URIS.contains(bare) || META_URIS.contains(url)) {
                return new java.io.ByteArrayInputStream(META_JSON.getBytes(StandardCharsets.UTF_8));
            }
            throw new RemoteRefRefusedException(url);
        }
    }
}
