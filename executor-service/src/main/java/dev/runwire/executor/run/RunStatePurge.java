package dev.runwire.executor.run;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;

import dev.runwire.executor.config.ExecutorConfig;

/** Keeps the executor's store bounded: finished runs are forgotten after the retention period. */
@ApplicationScoped
public class RunStatePurge {

    private static final Logger LOG = Logger.getLogger(RunStatePurge.class);
    private static final long EVERY_MILLIS = 60_000;

    private final RunStateStore store;
    private final ExecutorConfig config;
    private final Vertx vertx;

    RunStatePurge(RunStateStore store, ExecutorConfig config, Vertx vertx) {
        this.store = store;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        vertx.setPeriodic(EVERY_MILLIS,
                id -> store.purgeFinished(config.execution().retention()).subscribe().with(
                        purged -> LOG.debugf("purged %d finished runs", purged),
                        failure -> LOG.warnf("purging finished runs failed (%s); retried later",
                                failure.getClass().getSimpleName())));
    }
}
