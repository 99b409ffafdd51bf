package dev.runwire.executor.run;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

import dev.runwire.executor.config.ExecutorConfig;

/** Keeps the executor's store bounded: finished runs are forgotten after the retention period. */
@ApplicationScoped
public class RunStatePurge {

    private static final Logger LOG = Logger.getLogger(RunStatePurge.class);

    private final RunStateStore store;
    private final ExecutorConfig config;

    RunStatePurge(RunStateStore store, ExecutorConfig config) {
        this.store = store;
        this.config = config;
    }

    /** A purge that outlasts the interval is not started again over itself; a failed one is tried at the next tick. */
    @Scheduled(identity = "run-state-purge", every = "${runwire.execution.purge-interval:60s}", delayed = "${runwire.execution.purge-interval:60s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purge() {
        return store.purgeFinished(config.execution().retention())
                .invoke(purged -> LOG.debugf("purged %d finished runs", purged)).replaceWithVoid().onFailure()
                .recoverWithUni(failure -> {
                    LOG.warnf("purging finished runs failed (%s); retried later", failure.getClass().getSimpleName());
                    return Uni.createFrom().voidItem();
                });
    }
}
