package dev.runwire.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.SocketException;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;

import io.vertx.pgclient.PgException;

/** What both consumers and the api-service wait out, and what they hold against the message or request. */
class OutagesTest {

    @Test
    void theStoreOrBrokerAwayIsAnOutage() {
        assertTrue(Outages.isOutage(new SocketException("Connection reset")));
        assertTrue(Outages.isOutage(new java.net.ConnectException("Connection refused")));
        assertTrue(Outages.isOutage(new CompletionException(new PgException("starting up", "FATAL", "57P03", null))));
        assertTrue(Outages.isOutage(new PgException("terminating connection", "FATAL", "57P01", null)));
        assertTrue(Outages.isOutage(new PgException("deadlock detected", "ERROR", "40P01", null)));
        assertTrue(Outages.isOutage(
                new IllegalStateException("wrapped", new io.vertx.core.impl.NoStackTraceThrowable("Pool closed"))));
        assertTrue(Outages.isOutage(new org.apache.kafka.common.errors.NotLeaderOrFollowerException("moved")));
        class Lapsed extends RuntimeException implements Outages.Passing {
        }
        assertTrue(Outages.isOutage(new Lapsed()));
    }

    @Test
    void whatTheDataCausesIsNot() {
        assertFalse(Outages.isOutage(new PgException("invalid byte sequence", "ERROR", "22021", null)));
        assertFalse(Outages.isOutage(new PgException("value too long", "ERROR", "54000", null)));
        assertFalse(Outages.isOutage(new IllegalArgumentException("bad")));
        assertFalse(Outages.isOutage(new StackOverflowError()));
        assertFalse(Outages.isOutage(new org.apache.kafka.common.errors.RecordTooLargeException("large")));
    }
}
