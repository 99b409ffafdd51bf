package dev.runwire.executor.run;

import org.apache.kafka.common.errors.RecordTooLargeException;

import io.vertx.pgclient.PgException;

import dev.runwire.model.Outages;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.schema.SchemaRefusedException;

/**
 * Names the failures a run's own data causes for the run's error; {@link Outages} tells them from the system's (wait
 * and take the run up again).
 */
final class Failures {

    private Failures() {
    }

    /** The error a run ends with when handling it threw: a code and a message that quote none of its data. */
    static RunError errorFor(Throwable failure) {
        Throwable t = Outages.unwrap(failure);
        if (t instanceof StackOverflowError) {
            return RunError.of(Codes.TOO_COMPLEX, "the run's data is nested too deeply to be handled");
        }
        if (t instanceof EventTooLargeException large) {
            return RunError.of(Codes.EVENT_TOO_LARGE, large.getMessage());
        }
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof RecordTooLargeException) {
                return RunError.of(Codes.EVENT_TOO_LARGE, "an event of the run is larger than the broker takes");
            }
            if (c instanceof PgException pg && ("22P05".equals(pg.getSqlState()) || "22021".equals(pg.getSqlState())
                    || "54000".equals(pg.getSqlState()))) {
                return RunError.of(Codes.UNSTORABLE_DATA,
                        "the run's data cannot be stored (a NUL character, invalid text or a value too large)");
            }
            if (c instanceof SchemaRefusedException refused) {
                // invalid_schema, schema_too_complex, schema_too_costly: the message is fit to show
                return RunError.of(refused.code(), refused.getMessage());
            }
        }
        return RunError.of(Codes.INTERNAL, "the run could not be carried out (" + t.getClass().getSimpleName() + ")");
    }

    /** A short description for logs: the type and, for infrastructure failures, their message. */
    static String describe(Throwable failure) {
        Throwable t = Outages.unwrap(failure);
        return Outages.isOutage(t) ? t.getClass().getSimpleName() + ": " + t.getMessage()
                : t.getClass().getSimpleName();
    }

    /** An event of a run is larger than one broker message may be. */
    static final class EventTooLargeException extends RuntimeException {
        EventTooLargeException(String message) {
            super(message, null, false, false);
        }
    }
}
