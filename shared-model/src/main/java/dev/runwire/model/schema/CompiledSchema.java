package dev.runwire.model.schema;

import java.util.ArrayList;
import java.util.List;

import org.everit.json.schema.Schema;
import org.everit.json.schema.ValidationException;

import com.fasterxml.jackson.databind.JsonNode;

/** A compiled draft-7 schema; thread-safe, validate as often as needed. */
public final class CompiledSchema {

    private final Schema schema;

    CompiledSchema(Schema schema) {
        this.schema = schema;
    }

    /** Every leaf violation of the instance; empty when it conforms. */
    public List<Violation> validate(JsonNode instance) {
        try {
            schema.validate(OrgJson.from(instance));
            return List.of();
        } catch (ValidationException e) {
            List<Violation> violations = new ArrayList<>();
            collect(e, violations);
            return violations;
        } catch (RuntimeException e) {
            // a validator defect on an odd instance must not become a server error
            return List.of(new Violation("", "the value could not be validated against the schema", null));
        }
    }

    /** Whether the instance conforms. */
    public boolean isValid(JsonNode instance) {
        return validate(instance).isEmpty();
    }

    private static void collect(ValidationException e, List<Violation> into) {
        if (e.getCausingExceptions().isEmpty()) {
            into.add(new Violation(pointer(e.getPointerToViolation()), e.getErrorMessage(), e.getKeyword()));
            return;
        }
        for (ValidationException cause : e.getCausingExceptions()) {
            collect(cause, into);
        }
    }

    /** everit writes {@code #/a/b}; RFC 6901 wants {@code /a/b}, already escaped. */
    static String pointer(String everitPointer) {
        if (everitPointer == null || everitPointer.equals("#")) {
            return "";
        }
        return everitPointer.startsWith("#") ? everitPointer.substring(1) : everitPointer;
    }
}
