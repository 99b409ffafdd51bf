package dev.runwire.api.outbox;

import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

import dev.runwire.model.Topics;
import dev.runwire.model.trace.TraceParents;

/** Publishes run commands keyed by run id; the returned Uni completes when the broker has it. */
@ApplicationScoped
public class CommandPublisher {

    private static final Logger LOG = Logger.getLogger(CommandPublisher.class);

    private final MutinyEmitter<String> emitter;
    private final OutboxDeletes deletes;

    CommandPublisher(
            @Channel("run-commands") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 8192) MutinyEmitter<String> emitter,
            OutboxDeletes deletes) {
        this.emitter = emitter;
        this.deletes = deletes;
    }

    /**
     * Publishes a command whose outbox row was just committed, then deletes the row (with others:
     * {@link OutboxDeletes}). Does not wait: a failure leaves the row to the outbox relay, so the command is published
     * all the same.
     */
    public void publishCommitted(OutboxCommand command, long outboxId) {
        publish(command).subscribe().with(ok -> deletes.delete(outboxId),
                failure -> LOG.warnf("run %s: command left to the outbox relay (%s)", command.runId(),
                        failure.getClass().getSimpleName()));
    }

    /**
     * Sends the command's JSON as it was written to the outbox: serialized once. Its producer span continues the trace
     * the command was written in, whoever publishes it (the request right after its commit, or the relay later), and
     * the connector puts that context in the record's {@code traceparent} header (docs/adr/0041).
     */
    public Uni<Void> publish(OutboxCommand command) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.TYPE_HEADER, command.type().getBytes(StandardCharsets.UTF_8));
        Message<String> message = Message.of(command.json()).addMetadata(OutgoingKafkaRecordMetadata.<String> builder()
                .withKey(command.runId().toString()).withHeaders(headers).build());
        if (command.traceParent() != null) {
            message = message.addMetadata(TracingMetadata.withCurrent(TraceParents.parent(command.traceParent())));
        }
        return emitter.sendMessage(message);
    }
}
