package dev.runwire.model.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.everit.json.schema.Schema;
import org.everit.json.schema.SchemaException;
import org.everit.json.schema.loader.SchemaClient;
import org.everit.json.schema.loader.SchemaLoader;
import org.json.JSONException;
import org.json.JSONObject;
import org.json.JSONTokener;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.json.Json;

/**
 * Compiles JSON Schema draft 7 with everit. Nothing is ever fetched: the draft-07 meta-schema is served from the
 * classpath, {@code $id}s inside the schema resolve locally, and any other remote {@code $ref} is refused. A schema is
 * also checked against the meta-schema, so a misspelt keyword value ({@code "type": 12}) is an error instead of a
 * silently ignored keyword. Thread-safe.
 */
public final class SchemaCompiler {

    private static final String META_RESOURCE = "/dev/runwire/model/schema/draft-07-schema.json";
    private static final List<String> META_URIS = List.of("http://json-schema.org/draft-07/schema",
            "http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft-07/schema",
            "https://json-schema.org/draft-07/schema#");
    private static final String META_JSON = readMetaSchema();
    private static final Schema META_SCHEMA = loader(new JSONObject(META_JSON)).load().build();

    /** Compiles a schema given as JSON text. */
    public CompiledSchema compile(String schemaJson) {
        Object parsed;
        try {
            parsed = new JSONTokener(schemaJson).nextValue();
        } catch (JSONException e) {
            throw new InvalidSchemaException("the schema is not valid JSON");
        }
        return compileParsed(parsed);
    }

    /** Compiles a schema given as a Jackson tree. */
    public CompiledSchema compile(JsonNode schema) {
        return compileParsed(OrgJson.from(schema));
    }

    private CompiledSchema compileParsed(Object schema) {
        if (!(schema instanceof JSONObject) && !(schema instanceof Boolean)) {
            throw new InvalidSchemaException("a schema must be an object or a boolean");
        }
        if (schema instanceof JSONObject object) {
            List<Violation> violations = new CompiledSchema(META_SCHEMA).validate(toJackson(object));
            if (!violations.isEmpty()) {
                Violation first = violations.get(0);
                throw new InvalidSchemaException(
                        "the schema is not valid draft 7 at '" + first.pointer() + "': " + first.message());
            }
        }
        try {
            return new CompiledSchema(loader(schema).load().build());
        } catch (RemoteRefRefusedException e) {
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

    private static SchemaLoader loader(Object schema) {
        SchemaLoader.SchemaLoaderBuilder builder = SchemaLoader.builder().draftV7Support()
                .schemaClient(new RefusingClient()).schemaJson(schema);
        for (String uri : META_URIS) {
            builder.registerSchemaByURI(URI.create(uri), new JSONObject(META_JSON));
        }
        if (schema instanceof JSONObject object) {
            LocalIds.collect(object).forEach(builder::registerSchemaByURI);
        }
        return builder.build();
    }

    private static RemoteRefRefusedException findRefusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RemoteRefRefusedException refused) {
                return refused;
            }
        }
        return null;
    }

    private static JsonNode toJackson(JSONObject object) {
        try {
            return Json.mapper().readTree(object.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
