package dev.runwire.model;

import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

/**
 * Tells a failure of the system (PostgreSQL or the broker not answering, or refusing for a passing reason) from a
 * failure a message's own data causes. Both consumers wait out the first, however long it lasts, and set the message
 * aside for the second: retrying a message that fails for what it holds would stop its partition for every owner.
 */
public final class Outages {

    private Outages() {
    }

    /** A failure its thrower knows to be passing (e.g. a lease not renewed in time): treated as an outage. */
    public interface Passing {
    }

    /** PostgreSQL or the broker could not be reached, or refused for a passing reason: try again later. */
    public static boolean isOutage(Throwable failure) {
        for (Throwable t = unwrap(failure); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Passing) {
                return true;
            }
            if (t instanceof io.vertx.core.impl.NoStackTraceThrowable) {
                // the Vert.x clients' own refusals: "Pool closed" (shutting down), "Connection is not active now"
                return true;
            }
            if (t instanceof ConnectException || t instanceof java.net.SocketException
                    || t instanceof java.nio.channels.ClosedChannelException || t instanceof ClosedConnectionException
                    || t instanceof io.vertx.core.http.ConnectionPoolTooBusyException || t instanceof TimeoutException
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

    /** The failure inside the wrappers futures put around it. */
    public static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
