package dev.runwire.api.callback;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.config.ApiConfig;

/**
 * Keeps the callback tables bounded: finished deliveries (succeeded or failed) and their attempts are deleted once
 * older than the retention, a batch at a time; pending ones are never touched.
 */
@ApplicationScoped
public class DeliveryPurge {

    private static final Logger LOG = Logger.getLogger(DeliveryPurge.class);
    private static final int BATCH = 1_000;

    private final Pool pool;
    private final ApiConfig config;

    DeliveryPurge(Pool pool, ApiConfig config) {
        this.pool = pool;
        this.config = config;
    }

    /** A purge that outlasts the interval is not started again over itself; a failed one is tried at the next tick. */
    @Scheduled(identity = "delivery-purge", every = "${runwire.callbacks.purge-interval:10m}", delayed = "${runwire.callbacks.purge-interval:10m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purge() {
        double retention = config.callbacks().retention().toMillis() / 1000.0;
        // attempts and their deliveries go in one statement: the foreign key is checked at its end
        return pool.preparedQuery("""
                with old as (select id from api.deliveries
                             where state <> 'pending' and updated_at < now() - make_interval(secs => $1)
                             order by updated_at limit $2 for update skip locked),
                     attempts as (delete from api.delivery_attempts where delivery_id in (select id from old))
                delete from api.deliveries where id in (select id from old)""").execute(Tuple.of(retention, BATCH))
                .map(deleted -> deleted.rowCount()).invoke(count -> {
                    if (count > 0) {
                        LOG.infof("deleted %d finished callback deliveries past their retention", count);
                    }
                }).replaceWithVoid().onFailure().recoverWithUni(failure -> {
                    LOG.warnf("purging callback deliveries failed (%s); it will be retried",
                            failure.getClass().getSimpleName());
                    return Uni.createFrom().voidItem();
                });
    }
}
