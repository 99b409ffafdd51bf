package dev.runwire.executor.run;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

import dev.runwire.executor.config.ExecutorConfig;
import dev.runwire.model.command.ApprovalDecided;
import dev.runwire.model.command.AuthRequiredExpired;
import dev.runwire.model.command.ConnectionProvided;
import dev.runwire.model.command.RunAbortRequested;
import dev.runwire.model.command.RunCommand;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.command.StepResultReported;

/**
 * Reads run commands and keeps many runs in flight. The returned {@code Uni} only waits for a free slot, so the
 * connector hands over the next record at once; each record is acknowledged when its run's events are on the broker,
 * out of order, which the throttled commit strategy allows.
 */
@ApplicationScoped
public class CommandConsumer {

    private static final Logger LOG = Logger.getLogger(CommandConsumer.class);

    private final RunExecutor executor;
    private final AsyncSlots slots;

    CommandConsumer(RunExecutor executor, ExecutorConfig config) {
        this.executor = executor;
        this.slots = new AsyncSlots(config.execution().maxInFlight());
    }

    @Incoming("run-commands")
    public Uni<Void> onCommand(Message<RunCommand> message) {
        RunCommand command = message.getPayload();
        if (command == null) {
            LOG.warn("skipping a run command that could not be read");
            return Uni.createFrom().completionStage(message.ack());
        }
        return slots.acquire().invoke(() -> execute(command).whenComplete((ok, failure) -> {
            slots.release();
            if (failure == null) {
                message.ack();
            } else {
                LOG.errorf(failure, "run %s could not be carried out; its command stays uncommitted", command.runId());
                message.nack(failure);
            }
        }));
    }

    /** Commands arrive in partition order, so a run's abort always comes after its request. */
    private CompletionStage<Void> execute(RunCommand command) {
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
        return CompletableFuture.completedFuture(null);
    }
}
