package dev.runwire.api.outbox;

import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

/**
 * Deletes the outbox rows of published commands, many per statement: the ids that come while a delete is in flight go
 * together in the next one, so under load a run's row costs a fraction of a commit; a lone one goes at once. A delete
 * that fails leaves its rows to the outbox relay, which publishes them again (the executor takes a command it has seen
 * as a no-op) and deletes them.
 */
final class OutboxDeletes {

    private static final Logger LOG = Logger.getLogger(OutboxDeletes.class);
    /** The most ids one statement carries. */
    private static final int LARGEST = 500;

    private final OutboxStore store;
    private final List<Long> waiting = new ArrayList<>();
    private boolean deleting;

    OutboxDeletes(OutboxStore store) {
        this.store = store;
    }

    void delete(long id) {
        synchronized (this) {
            waiting.add(id);
            if (deleting) {
                return;
            }
            deleting = true;
        }
        next();
    }

    private void next() {
        List<Long> ids;
        synchronized (this) {
            if (waiting.isEmpty()) {
                deleting = false;
                return;
            }
            int n = Math.min(waiting.size(), LARGEST);
            ids = new ArrayList<>(waiting.subList(0, n));
            waiting.subList(0, n).clear();
        }
        store.deleteOutbox(ids).subscribe().with(ok -> next(), failure -> {
            LOG.warnf("%d published commands' outbox rows left to the relay (%s)", ids.size(),
                    failure.getClass().getSimpleName());
            next();
        });
    }
}
