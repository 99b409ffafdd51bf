package dev.runwire.model.schema;

import java.time.Duration;
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

    /**
     * Every leaf violation of the instance; empty when it conforms. Within {@link SchemaLimits#DEFAULT_BUDGET}.
     *
     * @throws SchemaTooCostlyException
     *             when the validation runs out of time or nests too deeply
     */
    public List<Violation> validate(JsonNode instance) {
        return validate(instance, SchemaLimits.DEFAULT_BUDGET);
    }

    /**
     * Every leaf violation of the instance; empty when it conforms.
     *
     * @throws SchemaTooCostlyException
     *             when the validation takes longer than {@code budget} or nests too deeply
     */
    public List<Violation> validate(JsonNode instance, Duration budget) {
        return validate(instance, Deadline.in(budget));
    }

    List<Violation> validate(JsonNode instance, Deadline deadline) {
        try {
            schema.validate(OrgJson.budgeted(instance, deadline));
            return List.of();
        } catch (ValidationException e) {
            List<Violation> violations = new ArrayList<>();
            collect(e, violations);
            return violations;
        } catch (SchemaTooCostlyException e) {
            throw e;
        } catch (StackOverflowError e) {
            // bounds keep real schemas and values far from this; the thread survives, the check is given up
            throw new SchemaTooCostlyException("checking the value against the schema nests too deeply");
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
