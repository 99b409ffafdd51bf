package dev.runwire.executor.run;

import java.net.ConnectException;
import java.util.concurrent.CompletionException;

import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.schema.SchemaRefusedException;

/**
 * Tells the failures that belong to the system (PostgreSQL or the broker not answering: wait and take the run up again)
 * from the ones a run's own data causes (the run fails with a reason), and names the latter for the run's error.
 */
final class Failures {

    private Failures() {
    }

    /** PostgreSQL or the broker could not be reached, or refused for a passing reason: the run is taken up later. */
    static boolean infrastructure(Throwable failure) {
        for (Throwable t = unwrap(failure); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.vertx.core.impl.NoStackTraceThrowable) {
                // the Vert.x clients' own refusals: "Pool closed" (shutting down), "Connection is not active now"
                return true;
            }
            if (t instanceof ConnectException || t instanceof ClosedConnectionException
                    || t instanceof io.vertx.core.http.ConnectionPoolTooBusyException
                    || t instanceof java.util.concurrent.TimeoutException
                    || t instanceof RetriableException && !(t instanceof RecordTooLargeException)) {
                return true;
            }
            if (t instanceof PgException pg && pg.getSqlState() != null
                    && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57P")
                            || pg.getSqlState().startsWith("53") || pg.getSqlState().equals("40001")
                            || pg.getSqlState().equals("40P01"))) {
                // connection lost, server shutting down, out of resources, serialization or deadlock: all pass
                return true;
            }
        }
        return false;
    }

    /** The error a run ends with when handling it threw: a code and a message that quote none of its data. */
    static RunError errorFor(Throwable failure) {
        Throwable t = unwrap(failure);
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
        Throwable t = unwrap(failure);
        return infrastructure(t) ? t.getClass().getSimpleName() + ": " + t.getMessage() : t.getClass().getSimpleName();
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** An event of a run is larger than one broker message may be. */
    static final class EventTooLargeException extends RuntimeException {
        EventTooLargeException(String message) {
            super(message, null, false, false);
        }
    }
}
