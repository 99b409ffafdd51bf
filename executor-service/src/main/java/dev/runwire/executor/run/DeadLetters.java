package dev.runwire.executor.run;

import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

import dev.runwire.model.DeadLetter;
import dev.runwire.model.Topics;

/**
 * Sets aside command records no run can be made of (not JSON, an unknown type, no run id) on
 * {@link Topics#RUN_COMMANDS_DLQ}, with headers saying why, and counts them ({@code runwire.dead.letters}).
 */
@ApplicationScoped
public class DeadLetters {

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    private final MutinyEmitter<byte[]> emitter;
    private final MeterRegistry registry;

    DeadLetters(@Channel("run-commands-dlq") MutinyEmitter<byte[]> emitter, MeterRegistry registry) {
        this.emitter = emitter;
        this.registry = registry;
    }

    /** Completes when the broker has the record (or failed to take it: a lost dead letter never stops the consumer). */
    CompletionStage<Void> send(String key, byte[] value, DeadLetter why) {
        LOG.warnf("command record %s-%d@%d set aside on %s: %s (%s)", why.topic(), why.partition(), why.offset(),
                Topics.RUN_COMMANDS_DLQ, why.reason(), why.cause());
        registry.counter("runwire.dead.letters", "reason", why.reason()).increment();
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String> builder().withKey(key)
                .withHeaders(why.headers()).build();
        return emitter.sendMessage(Message.of(value == null ? new byte[0] : value).addMetadata(metadata)).onFailure()
                .invoke(failure -> LOG.errorf("the dead letter of %s-%d@%d could not be sent: %s", why.topic(),
                        why.partition(), why.offset(), failure.getClass().getSimpleName()))
                .onFailure().recoverWithNull().subscribeAsCompletionStage();
    }
}
