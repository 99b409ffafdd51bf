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
 * service keeps running; rows already under the current key are left alone, and a row busy at that moment is left for
 * the next pass, so it can be run again at any time until it reports nothing left.
 */
@ApplicationScoped
public class Reseal {

    private static final Logger LOG = Logger.getLogger(Reseal.class);
    private static final int BATCH = 100;
    /** The smallest UUID in PostgreSQL's (byte-wise) order. */
    private static final java.util.UUID FIRST = new java.util.UUID(0, 0);

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

    /** What a reseal did to one table: values moved to the current key, and values no configured key opens. */
    public record Outcome(int resealed, int unreadable) {
    }

    /** A batch's outcome and the last id it looked at. */
    private record Batch(int resealed, int unreadable, java.util.UUID lastId) {
    }

    /** @return per table, how many values were resealed and how many could not be opened (left as they are) */
    public Uni<Map<String, Outcome>> run() {
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        return Multi.createFrom().iterable(STORES).onItem()
                .transformToUniAndConcatenate(store -> all(store, new Batch(0, 0, FIRST)).invoke(
                        total -> outcomes.put(store.table(), new Outcome(total.resealed(), total.unreadable()))))
                .collect().last().map(ignored -> {
                    LOG.infof("resealed under key %s: %s", sealer.currentKeyId(), outcomes);
                    return outcomes;
                });
    }

    /** Walks the table in id order, one locked batch after another. */
    private Uni<Batch> all(Store store, Batch sofar) {
        return batch(store, sofar.lastId()).chain(batch -> {
            Batch total = new Batch(sofar.resealed() + batch.resealed(), sofar.unreadable() + batch.unreadable(),
                    batch.lastId());
            return batch.lastId() == null ? Uni.createFrom().item(total) : all(store, total);
        });
    }

    private Uni<Batch> batch(Store store, java.util.UUID after) {
        String sealedColumn = store.table().equals("integrations") ? "sealed_client_secret" : "sealed";
        return pool.withTransaction(conn -> conn
                .preparedQuery("select id, " + store.context() + ", " + sealedColumn + " from api." + store.table()
                        + " where id > $2 and " + sealedColumn + " is not null and (" + sealedColumn
                        + "::jsonb ->> 'keyId') <> $1 order by id limit " + BATCH + " for update skip locked")
                .execute(Tuple.of(sealer.currentKeyId(), after)).chain(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().item(new Batch(0, 0, null));
                    }
                    List<Tuple> updates = new java.util.ArrayList<>();
                    int[] unreadable = { 0 };
                    java.util.UUID[] last = { after };
                    rows.forEach(row -> {
                        last[0] = row.getUUID(0);
                        String context = store.binding().apply(row.getValue(1));
                        SealedSecret resealed;
                        try {
                            resealed = sealer.seal(
                                    sealer.open(Json.read(row.getString(2), SealedSecret.class), context), context);
                        } catch (IllegalStateException e) {
                            // a key this service does not have, or a damaged value: reported, never overwritten
                            unreadable[0]++;
                            return;
                        }
                        updates.add(store.keyIdColumn() == null ? Tuple.of(row.getUUID(0), Json.write(resealed))
                                : Tuple.of(row.getUUID(0), Json.write(resealed), resealed.keyId()));
                    });
                    Batch batch = new Batch(updates.size(), unreadable[0], last[0]);
                    if (updates.isEmpty()) {
                        return Uni.createFrom().item(batch);
                    }
                    String keyId = store.keyIdColumn() == null ? "" : ", " + store.keyIdColumn() + " = $3";
                    return conn.preparedQuery(
                            "update api." + store.table() + " set " + sealedColumn + " = $2" + keyId + " where id = $1")
                            .executeBatch(updates).replaceWith(batch);
                }));
    }
}
