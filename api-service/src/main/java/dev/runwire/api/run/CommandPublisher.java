package dev.runwire.api.run;

import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

import dev.runwire.model.Topics;
import dev.runwire.model.command.RunCommand;

/** Publishes run commands keyed by run id; the returned Uni completes when the broker has it. */
@ApplicationScoped
public class CommandPublisher {

    private final MutinyEmitter<RunCommand> emitter;

    CommandPublisher(
            @Channel("run-commands") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 8192) MutinyEmitter<RunCommand> emitter) {
        this.emitter = emitter;
    }

    Uni<Void> publish(RunCommand command, String type) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.TYPE_HEADER, type.getBytes(StandardCharsets.UTF_8));
        return emitter.sendMessage(Message.of(command).addMetadata(OutgoingKafkaRecordMetadata.<String> builder()
                .withKey(command.runId().toString()).withHeaders(headers).build()));
    }
}
