package dev.runwire.api.error;

import java.io.DataInput;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MappingJsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * The JSON mapper Quarkus REST reads request bodies with (and writes answers with), and how its refusals read.
 * <p>
 * It is Quarkus' own mapper — every {@link ObjectMapperCustomizer} applied in Quarkus' order, {@link JsonLimits} among
 * them — built on a factory whose parsers refuse a NUL character ({@code \u0000}) in any string or name: PostgreSQL
 * cannot store one in text or jsonb, so it is a client's mistake answered 400 with a pointer, not a 500 at write time.
 * Checking in the parser covers every body, typed or free-form ({@code input}, schemas), in one place.
 */
public class RequestJson {

    /** Replaces Quarkus' default mapper; applies every customizer as Quarkus' producer does. */
    @Produces
    @Singleton
    ObjectMapper objectMapper(Instance<ObjectMapperCustomizer> customizers) {
        ObjectMapper mapper = new ObjectMapper(new NulRefusingFactory());
        List<ObjectMapperCustomizer> ordered = new ArrayList<>();
        customizers.forEach(ordered::add);
        Collections.sort(ordered); // highest priority first, as Quarkus' own producer
        ordered.forEach(customizer -> customizer.customize(mapper));
        return mapper;
    }

    /** A string or name of a body held a NUL character. */
    public static final class NulCharacterException extends JsonParseException {
        private static final long serialVersionUID = 1L;
        private final String pointer;

        NulCharacterException(JsonParser parser, String pointer) {
            super(parser, "NUL character at " + pointer);
            this.pointer = pointer;
        }

        public String pointer() {
            return pointer;
        }
    }

    /** The error object of a body Jackson refused: what is wrong and where, in words of this API (no class names). */
    public static ErrorObject problem(JsonProcessingException e) {
        // a refusal of the parser reaches here as is, or wrapped by databind with the path of the field being read
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause instanceof NulCharacterException || cause instanceof StreamConstraintsException
                    || cause instanceof JsonParseException parse && duplicate(parse)) {
                return problem((JsonProcessingException) cause);
            }
        }
        if (e instanceof NulCharacterException nul) {
            return new ErrorObject(400, "nul_character", "Bad Request",
                    "the value at " + nul.pointer() + " contains a NUL character (\\u0000), which cannot be stored",
                    ErrorObject.Source.pointer(nul.pointer()), null);
        }
        if (e instanceof StreamConstraintsException) {
            return new ErrorObject(400, "json_limit_exceeded", "Bad Request", limit(e.getOriginalMessage()),
                    ErrorObject.Source.pointer(""), null);
        }
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (e instanceof JsonParseException parse && duplicate(parse)) {
            String pointer = pointerOf(e);
            String key = message.substring("Duplicate field '".length(), message.lastIndexOf('\''));
            return new ErrorObject(400, "duplicate_key", "Bad Request",
                    "the key \"" + key + "\" appears twice in the same object (at " + pointer + ")",
                    ErrorObject.Source.pointer(pointer), null);
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String pointer = pointer(mapping.getPath());
            return new ErrorObject(400, "invalid_type", "Bad Request",
                    "the value at " + pointer + " has the wrong type or form", ErrorObject.Source.pointer(pointer),
                    null);
        }
        if (message.contains("UTF-8") || message.contains("UTF-32") || message.contains("Invalid UTF")) {
            return new ErrorObject(400, "invalid_encoding", "Bad Request", "the request body is not valid UTF-8",
                    ErrorObject.Source.pointer(""), null);
        }
        return new ErrorObject(400, "malformed_json", "Bad Request", "the request body is not valid JSON",
                ErrorObject.Source.pointer(""), null);
    }

    private static boolean duplicate(JsonParseException e) {
        return e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field '");
    }

    /** Jackson's constraint messages name its own classes; say the limit in this API's words instead. */
    private static String limit(String message) {
        String m = message == null ? "" : message;
        if (m.contains("nesting depth")) {
            return "the request body nests deeper than " + JsonLimits.MAX_NESTING_DEPTH + " levels";
        }
        if (m.contains("String value length")) {
            return "a string in the request body is longer than " + JsonLimits.MAX_STRING_LENGTH + " characters";
        }
        if (m.contains("Number value length")) {
            return "a number in the request body is longer than " + JsonLimits.MAX_NUMBER_LENGTH + " characters";
        }
        if (m.contains("Name length")) {
            return "a key in the request body is longer than " + JsonLimits.MAX_NAME_LENGTH + " characters";
        }
        if (m.contains("Document length")) {
            return "the request body is too large";
        }
        return "the request body exceeds a limit of this API";
    }

    private static String pointerOf(JsonProcessingException e) {
        if (e.getProcessor() instanceof JsonParser parser && parser.getParsingContext() != null) {
            return parser.getParsingContext().pathAsPointer().toString();
        }
        return "";
    }

    private static String pointer(List<JsonMappingException.Reference> path) {
        StringBuilder pointer = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            pointer.append('/');
            if (ref.getFieldName() != null) {
                pointer.append(ref.getFieldName().replace("~", "~0").replace("/", "~1"));
            } else {
                pointer.append(ref.getIndex());
            }
        }
        return pointer.toString();
    }

    /** A factory whose parsers refuse NUL characters; everything else as Jackson's. */
    static final class NulRefusingFactory extends MappingJsonFactory {
        private static final long serialVersionUID = 1L;

        NulRefusingFactory() {
            super();
        }

        private NulRefusingFactory(NulRefusingFactory source, ObjectMapper codec) {
            super(source, codec);
        }

        @Override
        public JsonFactory copy() {
            return new NulRefusingFactory(this, null);
        }

        @Override
        protected JsonParser _createParser(InputStream in, IOContext context) throws IOException {
            return new NulRefusingParser(super._createParser(in, context));
        }

        @Override
        protected JsonParser _createParser(Reader r, IOContext context) throws IOException {
            return new NulRefusingParser(super._createParser(r, context));
        }

        @Override
        protected JsonParser _createParser(char[] data, int offset, int len, IOContext context, boolean recyclable)
                throws IOException {
            return new NulRefusingParser(super._createParser(data, offset, len, context, recyclable));
        }

        @Override
        protected JsonParser _createParser(byte[] data, int offset, int len, IOContext context) throws IOException {
            return new NulRefusingParser(super._createParser(data, offset, len, context));
        }

        @Override
        protected JsonParser _createParser(DataInput input, IOContext context) throws IOException {
            return new NulRefusingParser(super._createParser(input, context));
        }
    }

    /**
     * Checks every name and string value as the parser reaches it. Every way of advancing (nextFieldName,
     * nextTextValue, ...) goes through {@link #nextToken()} in Jackson 2's base parser, and skipping is done here by
     * token, so these overrides see all.
     */
    static final class NulRefusingParser extends JsonParserDelegate {

        NulRefusingParser(JsonParser delegate) {
            super(delegate);
        }

        @Override
        public JsonToken nextToken() throws IOException {
            return checked(super.nextToken());
        }

        @Override
        public JsonToken nextValue() throws IOException {
            JsonToken token = super.nextValue();
            // nextValue passes over a name: check it too
            if (token != null && currentName() != null && currentName().indexOf('\0') >= 0) {
                throw new NulCharacterException(this, getParsingContext().pathAsPointer().toString());
            }
            return checked(token);
        }

        /** Skipped values (unknown keys) are read through {@link #nextToken()} too: "anywhere in a body" means it. */
        @Override
        public JsonParser skipChildren() throws IOException {
            JsonToken start = currentToken();
            if (start != JsonToken.START_OBJECT && start != JsonToken.START_ARRAY) {
                return this;
            }
            int open = 1;
            for (JsonToken token = nextToken(); token != null; token = nextToken()) {
                if (token.isStructStart()) {
                    open++;
                } else if (token.isStructEnd() && --open == 0) {
                    break;
                }
            }
            return this;
        }

        private JsonToken checked(JsonToken token) throws IOException {
            if ((token == JsonToken.VALUE_STRING || token == JsonToken.FIELD_NAME) && getText().indexOf('\0') >= 0) {
                throw new NulCharacterException(this, getParsingContext().pathAsPointer().toString());
            }
            return token;
        }
    }
}
