package dev.runwire.api.mcp;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.config.ApiConfig;

/**
 * Keeps {@code api.mcp_calls}, {@code api.mcp_elicitations}, {@code api.mcp_streams} and {@code api.mcp_sessions}
 * bounded: a row is deleted once older than the retention, a batch at a time; past it, a cancel of that request or an
 * answer to that elicitation changes nothing, a stream cannot be resumed, and a client of that session is told to
 * initialize again (404).
 */
@ApplicationScoped
public class McpCallPurge {

    private static final Logger LOG = Logger.getLogger(McpCallPurge.class);
    private static final int BATCH = 1_000;

    private final Pool pool;
    private final ApiConfig config;

    McpCallPurge(Pool pool, ApiConfig config) {
        this.pool = pool;
        this.config = config;
    }

    /** A purge that outlasts the interval is not started again over itself; a failed one is tried at the next tick. */
    @Scheduled(identity = "mcp-call-purge", every = "${runwire.mcp.call-purge-interval:10m}", delayed = "${runwire.mcp.call-purge-interval:10m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purge() {
        return purge("mcp_calls", "tool call records").chain(() -> purge("mcp_elicitations", "elicitations"))
                .chain(() -> purge("mcp_streams", "streams")).chain(() -> purge("mcp_sessions", "sessions"));
    }

    private Uni<Void> purge(String table, String what) {
        double retention = config.mcp().callRetention().toMillis() / 1000.0;
        return pool
                .preparedQuery("delete from api." + table + " where ctid in (select ctid from api." + table
                        + " where created_at < now() - make_interval(secs => $1) order by created_at limit $2"
                        + " for update skip locked)")
                .execute(Tuple.of(retention, BATCH)).map(deleted -> deleted.rowCount()).invoke(count -> {
                    if (count > 0) {
                        LOG.infof("deleted %d MCP %s past their retention", count, what);
                    }
                }).replaceWithVoid().onFailure().recoverWithUni(failure -> {
                    LOG.warnf("purging MCP %s failed (%s); it will be retried", what,
                            failure.getClass().getSimpleName());
                    return Uni.createFrom().voidItem();
                });
    }
}
