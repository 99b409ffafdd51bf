package dev.runwire.executor.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgPool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;

import dev.runwire.model.sql.GroupCommit;

/**
 * Group commit against the real PostgreSQL the tests use: concurrent writes share transactions, each caller gets its
 * own result after the commit, and a write PostgreSQL refuses fails alone.
 */
class GroupCommitTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    static Vertx vertx;
    static PgPool pool;
    static String table;

    @BeforeAll
    static void connect() {
        String url = System.getenv().getOrDefault("QUARKUS_DATASOURCE_REACTIVE_URL",
                "postgresql://127.0.0.1:5432/runwire_test");
        PgConnectOptions options = PgConnectOptions.fromUri(url).setUser("runwire").setPassword("runwire");
        vertx = Vertx.vertx();
        pool = PgPool.pool(vertx, options, new PoolOptions().setMaxSize(4));
        table = "group_commit_" + UUID.randomUUID().toString().replace("-", "");
        pool.query("create table " + table + " (id integer primary key, v text not null)").execute().await()
                .atMost(WAIT);
    }

    @AfterAll
    static void drop() {
        pool.query("drop table " + table).execute().await().atMost(WAIT);
        pool.close().await().atMost(WAIT);
        vertx.close().await().atMost(WAIT);
    }

    @Test
    void concurrentWritesShareCommitsAndEachGetsItsOwnResult() throws Exception {
        GroupCommit group = new GroupCommit(pool, 64);
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            results.add(insert(group, i, "v" + i));
        }
        for (int i = 0; i < 200; i++) {
            assertEquals(i, results.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        assertEquals(200, count("id < 200"));
        assertEquals(200, group.writes());
        assertTrue(group.groups() <= 20, "200 writes made at once take a few commits, not " + group.groups());
    }

    @Test
    void aWritePostgresqlRefusesFailsAloneAndTheRestOfItsGroupIsCommitted() throws Exception {
        GroupCommit group = new GroupCommit(pool, 64);
        // holds the first commit, so the writes below wait and go as one group
        CompletableFuture<Integer> first = group
                .<Integer> submit(c -> c.query("select pg_sleep(0.3)").execute().map(rows -> -1))
                .subscribeAsCompletionStage();
        List<CompletableFuture<Integer>> good = new ArrayList<>();
        for (int i = 1000; i < 1010; i++) {
            good.add(insert(group, i, "fine"));
        }
        CompletableFuture<Integer> refused = insert(group, 1010, "nul\u0000inside");
        good.add(insert(group, 1011, "fine too"));

        assertEquals(-1, first.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        for (CompletableFuture<Integer> write : good) {
            write.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        assertThrows(ExecutionException.class, () -> refused.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(11, count("id >= 1000 and id < 2000"));
        assertEquals(2, group.groups(), "the refused write was in the second group, tried again write by write");
    }

    private static CompletableFuture<Integer> insert(GroupCommit group, int id, String value) {
        return group.<Integer> submit(c -> c.preparedQuery("insert into " + table + " (id, v) values ($1, $2)")
                .execute(Tuple.of(id, value)).map(rows -> id)).subscribeAsCompletionStage();
    }

    private static long count(String where) {
        return pool.query("select count(*) from " + table + " where " + where).execute().await().atMost(WAIT).iterator()
                .next().getLong(0);
    }
}
