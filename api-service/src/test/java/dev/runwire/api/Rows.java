package dev.runwire.api;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.mutiny.sqlclient.Pool;

/** Counts rows, to assert that a refused request wrote nothing. */
@ApplicationScoped
public class Rows {

    private final Pool pool;

    Rows(Pool pool) {
        this.pool = pool;
    }

    public long count(String table) {
        return pool.query("select count(*) from api." + table).execute().await().indefinitely().iterator().next()
                .getLong(0);
    }
}
