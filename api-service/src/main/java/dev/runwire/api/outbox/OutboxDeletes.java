package dev.runwire.api.outbox;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.vertx.core.Vertx;

/**
 * Deletes the outbox rows of published commands, many per statement. A published command's id waits up to
 * {@link #HOLD_MILLIS} for a read-model transaction to take it ({@link #take}): such a transaction deletes the rows
 * with its own statement, so under load and one request at a time alike a row costs no commit of its own. What no
 * transaction took by then is deleted by a statement of its own, and ids that come while it is in flight go together in
 * the next one. A delete that fails leaves its rows to the outbox relay, which publishes them again (the executor takes
 * a command it has seen as a no-op) and deletes them. Both kinds of delete commit without waiting for their WAL flush:
 * a crash that loses one brings rows back to the relay, the same (docs/adr/0009).
 */
@ApplicationScoped
public class OutboxDeletes {

    private static final Logger LOG = Logger.getLogger(OutboxDeletes.class);
    /** The most ids one statement carries. */
    static final int LARGEST = 500;
    /**
     * How long an id waits for a read-model transaction: far longer than the time from a command's publish to its run's
     * first events being stored, far shorter than the relay's wait before it republishes (5 s).
     */
    static final long HOLD_MILLIS = 100;

    private final OutboxStore store;
    private final Vertx vertx;
    private final List<Long> waiting = new ArrayList<>();
    /** A delete of its own is scheduled or in flight. */
    private boolean deleting;

    OutboxDeletes(OutboxStore store, Vertx vertx) {
        this.store = store;
        this.vertx = vertx;
    }

    /** The row of a command the broker has: deleted by a transaction that takes it, or by a statement of its own. */
    public void delete(long id) {
        synchronized (this) {
            waiting.add(id);
            if (deleting) {
                return;
            }
            deleting = true;
        }
        vertx.setTimer(HOLD_MILLIS, timer -> next());
    }

    /**
     * Takes up to {@link #LARGEST} waiting ids for a transaction that deletes their rows. If that transaction fails,
     * the caller gives them back ({@link #giveBack}).
     */
    public List<Long> take() {
        synchronized (this) {
            int n = Math.min(waiting.size(), LARGEST);
            List<Long> ids = new ArrayList<>(waiting.subList(0, n));
            waiting.subList(0, n).clear();
            return ids;
        }
    }

    /** Ids a transaction took and did not commit: they wait again. */
    public void giveBack(List<Long> ids) {
        ids.forEach(this::delete);
    }

    private void next() {
        List<Long> ids;
        synchronized (this) {
            ids = take();
            if (ids.isEmpty()) {
                deleting = false;
                return;
            }
        }
        store.deleteOutbox(ids).subscribe().with(ok -> next(), failure -> {
            LOG.warnf("%d published commands' outbox rows left to the relay (%s)", ids.size(),
                    failure.getClass().getSimpleName());
            next();
        });
    }
}
