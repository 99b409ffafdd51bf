package dev.runwire.executor.run;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;

import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.vertx.core.Vertx;

import dev.runwire.executor.config.ExecutorConfig;
import dev.runwire.model.DeadLetter;
import dev.runwire.model.Outages;
import dev.runwire.model.command.ApprovalDecided;
import dev.runwire.model.command.AuthRequiredExpired;
import dev.runwire.model.command.ConnectionProvided;
import dev.runwire.model.command.OutcomeResolved;
import dev.runwire.model.command.RunAbortRequested;
import dev.runwire.model.command.RunCommand;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.command.StepResultReported;
import dev.runwire.model.json.Json;
import dev.runwire.model.trace.RunLogContext;
import dev.runwire.model.trace.TraceParents;

/**
 * Reads run commands and keeps many runs in flight. The returned {@code Uni} only waits for a free slot, so the
 * connector hands over the next record at once; each record is acknowledged when its run's events are on the broker,
 * out of order, which the throttled commit strategy allows.
 * <p>
 * No record can stop this consumer: one that is no command goes to the dead-letter topic; whatever goes wrong while a
 * run is handled fails that run (see {@link RunActor}); a run that cannot be handled because PostgreSQL or the broker
 * does not answer is taken up again after a pause, for as long as that lasts. Every record is acknowledged in the end.
 */
@ApplicationScoped
public class CommandConsumer {

    private static final Logger LOG = Logger.getLogger(CommandConsumer.class);
    /** A run that fails for a reason that is not the store's or the broker's is tried this often, then set aside. */
    private static final int MAX_ATTEMPTS = 3;
    private static final Duration FIRST_PAUSE = Duration.ofMillis(500);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(30);

    private final RunDispatcher executor;
    private final DeadLetters deadLetters;
    private final Vertx vertx;
    private final AsyncSlots slots;

    CommandConsumer(RunDispatcher executor, DeadLetters deadLetters, ExecutorConfig config, Vertx vertx) {
        this.executor = executor;
        this.deadLetters = deadLetters;
        this.vertx = vertx;
        this.slots = new AsyncSlots(config.execution().maxInFlight());
    }

    @Incoming("run-commands")
    public Uni<Void> onCommand(Message<byte[]> message) {
        RunCommand command;
        try {
            command = read(message.getPayload());
        } catch (UnreadableException e) {
            return Uni.createFrom()
                    .completionStage(setAside(message, e.reason, e.getMessage()).thenCompose(ok -> message.ack()));
        }
        Context trace = traceOf(message);
        return slots.acquire().invoke(() -> attempt(command, trace, 1).whenComplete((ok, failure) -> {
            slots.release();
            if (failure == null) {
                message.ack();
            } else {
                setAside(message, "not_carried_out", failure.getClass().getSimpleName())
                        .whenComplete((sent, ignored) -> message.ack());
            }
        }));
    }

    /**
     * The context of the record's consumer span (the connector's tracing), or the one its {@code traceparent} header
     * names when the connector traces nothing: the run's work goes on in the trace of the request that caused it.
     */
    private static Context traceOf(Message<byte[]> message) {
        return TracingMetadata.fromMessage(message).map(TracingMetadata::getCurrentContext).or(() -> message
                .getMetadata(IncomingKafkaRecordMetadata.class).map(record -> TraceParents.parent(record.getHeaders())))
                .orElse(Context.root());
    }

    /**
     * Carries out a command; a run the store or the broker could not take is taken up again after a pause (it resumes
     * from its stored state), as long as that lasts; any other failure a few times. The command's trace is current
     * while it is handed to its run.
     */
    private CompletionStage<Void> attempt(RunCommand command, Context trace, int attempt) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        // the run's logic (schema checks, plan steps) never runs on the consumer's event loop
        Infrastructure.getDefaultExecutor()
                .execute(trace.wrap((Runnable) () -> execute(command).whenComplete((ok, failure) -> {
                    if (failure == null) {
                        done.complete(null);
                        return;
                    }
                    boolean infrastructure = Outages.isOutage(failure);
                    boolean giveUp = !infrastructure && attempt >= MAX_ATTEMPTS;
                    long pause = Math.min(LONGEST_PAUSE.toMillis(),
                            FIRST_PAUSE.toMillis() << Math.min(attempt - 1, 10));
                    try (var logged = RunLogContext.open(command.runId(), command.ownerId())) {
                        if (giveUp) {
                            LOG.errorf(failure, "run %s could not be carried out after %d attempts", command.runId(),
                                    attempt);
                        } else {
                            LOG.warnf("run %s could not be carried out (%s); taken up again in %d ms", command.runId(),
                                    Failures.describe(failure), pause);
                        }
                    }
                    if (giveUp) {
                        done.completeExceptionally(failure);
                        return;
                    }
                    vertx.setTimer(pause, id -> attempt(command, trace, infrastructure ? attempt : attempt + 1)
                            .whenComplete((again, last) -> {
                                if (last == null) {
                                    done.complete(null);
                                } else {
                                    done.completeExceptionally(last);
                                }
                            }));
                })));
        return done;
    }

    /** Commands arrive in partition order, so a run's abort always comes after its request. */
    private CompletionStage<Void> execute(RunCommand command) {
        try {
            if (command instanceof RunRequested requested) {
                return executor.onRequested(requested);
            }
            if (command instanceof RunAbortRequested abort) {
                return executor.onAbort(abort);
            }
            if (command instanceof ApprovalDecided decision) {
                return executor.onDecision(decision);
            }
            if (command instanceof ConnectionProvided connection) {
                return executor.onConnection(connection);
            }
            if (command instanceof AuthRequiredExpired expired) {
                return executor.onAuthRequiredExpired(expired);
            }
            if (command instanceof StepResultReported result) {
                return executor.onResult(result);
            }
            if (command instanceof OutcomeResolved resolution) {
                return executor.onResolution(resolution);
            }
            return CompletableFuture.completedFuture(null);
        } catch (Throwable e) {
            // the run executor fails a run for what its data does; this is only reached by a fault of its own
            return CompletableFuture.failedFuture(e);
        }
    }

    private static RunCommand read(byte[] payload) throws UnreadableException {
        if (payload == null || payload.length == 0) {
            throw new UnreadableException("empty", "the record has no value");
        }
        RunCommand command;
        try {
            command = Json.mapper().readValue(payload, RunCommand.class);
        } catch (InvalidTypeIdException e) {
            throw new UnreadableException("unknown_type", "the record's type is not a run command this executor knows");
        } catch (JsonProcessingException e) {
            // the parser's message may quote the record: only its kind is told
            boolean json = !(e instanceof com.fasterxml.jackson.core.JsonParseException);
            throw new UnreadableException(json ? "invalid_record" : "not_json",
                    json ? "the record is not a run command (" + e.getClass().getSimpleName() + ")"
                            : "the record is not JSON");
        } catch (Exception | StackOverflowError e) {
            throw new UnreadableException("invalid_record",
                    "the record cannot be read: " + e.getClass().getSimpleName());
        }
        if (command == null || command.runId() == null) {
            throw new UnreadableException("invalid_record", "the record names no run");
        }
        return command;
    }

    private CompletionStage<Void> setAside(Message<byte[]> message, String reason, String cause) {
        IncomingKafkaRecordMetadata<?, ?> origin = message.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
        String key = origin == null || origin.getKey() == null ? null : origin.getKey().toString();
        DeadLetter why = origin == null ? new DeadLetter(reason, cause, "", -1, -1)
                : new DeadLetter(reason, cause, origin.getTopic(), origin.getPartition(), origin.getOffset());
        return deadLetters.send(key, message.getPayload(), why);
    }

    /** A record that is no run command. */
    private static final class UnreadableException extends Exception {
        final String reason;

        UnreadableException(String reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }
}
