package dev.runwire.api.admin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.model.command.SealedSecret;
import dev.runwire.model.crypto.SecretSealer;
import dev.runwire.model.json.Json;

/**
 * Re-encrypts every stored secret that is sealed under an earlier key with the current one: connected accounts'
 * credentials, integrations' OAuth 2 client secrets and webhook signing secrets. Works in small batches, each row
 * locked only while it is resealed (a refresh or connection of that row waits for it, nothing else does), so the
 * service keeps running; rows already under the current key are left alone, so it can be run again at any time.
 */
@ApplicationScoped
public class Reseal {

    private static final Logger LOG = Logger.getLogger(Reseal.class);
    private static final int BATCH = 100;

    /** A table of sealed values: its sealed column and what each value is bound to. */
    private record Store(String table, String context, String keyIdColumn, Function<Object, String> binding) {
    }

    private static final List<Store> STORES = List.of(
            new Store("connected_accounts", "id", "key_id", id -> "connected-account:" + id),
            new Store("integrations", "id", "key_id", id -> "integration:" + id),
            new Store("webhook_secrets", "owner_id", null, ownerId -> "webhook-secret:" + ownerId));

    private final Pool pool;
    private final SecretSealer sealer;

    Reseal(Pool pool, SecretSealer sealer) {
        this.pool = pool;
        this.sealer = sealer;
    }

    /** @return how many values were resealed, per table */
    public Uni<Map<String, Integer>> run() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        return Multi.createFrom().iterable(STORES).onItem()
                .transformToUniAndConcatenate(store -> all(store, 0).invoke(count -> counts.put(store.table(), count)))
                .collect().last().map(ignored -> {
                    LOG.infof("resealed under key %s: %s", sealer.currentKeyId(), counts);
                    return counts;
                });
    }

    private Uni<Integer> all(Store store, int sofar) {
        return batch(store).chain(count -> count == 0 ? Uni.createFrom().item(sofar) : all(store, sofar + count));
    }

    private Uni<Integer> batch(Store store) {
        String sealedColumn = store.table().equals("integrations") ? "sealed_client_secret" : "sealed";
        return pool.withTransaction(conn -> conn
                .preparedQuery("select id, " + store.context() + ", " + sealedColumn + " from api." + store.table()
                        + " where " + sealedColumn + " is not null and (" + sealedColumn
                        + "::jsonb ->> 'keyId') <> $1 limit " + BATCH + " for update skip locked")
                .execute(Tuple.of(sealer.currentKeyId())).chain(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().item(0);
                    }
                    List<Tuple> updates = new java.util.ArrayList<>();
                    rows.forEach(row -> {
                        String context = store.binding().apply(row.getValue(1));
                        String opened = sealer.open(Json.read(row.getString(2), SealedSecret.class), context);
                        SealedSecret resealed = sealer.seal(opened, context);
                        updates.add(store.keyIdColumn() == null ? Tuple.of(row.getUUID(0), Json.write(resealed))
                                : Tuple.of(row.getUUID(0), Json.write(resealed), resealed.keyId()));
                    });
                    String keyId = store.keyIdColumn() == null ? "" : ", " + store.keyIdColumn() + " = $3";
                    return conn.preparedQuery(
                            "update api." + store.table() + " set " + sealedColumn + " = $2" + keyId + " where id = $1")
                            .executeBatch(updates).replaceWith(updates.size());
                }));
    }
}
