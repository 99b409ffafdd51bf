package dev.runwire.api.projection;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.run.RunEventStore.WalPosition;

/**
 * Batches the read model committed without waiting for their WAL flush, held until PostgreSQL has flushed past them;
 * only then are their Kafka offsets acknowledged. Until then a crash of PostgreSQL may lose them while the consumer
 * reads on, so when the WAL epoch changed (PostgreSQL recovered from a crash) they are written again from here — the
 * writes are idempotent — and held again. A crash of this process instead leaves their offsets unacknowledged: the
 * partition's next owner reads them again. See ADR 0009.
 * <p>
 * {@link #check()} runs on one timer; {@link #add} on the consumer's thread.
 */
final class UnflushedBatches {

    private static final Logger LOG = Logger.getLogger(UnflushedBatches.class);

    private final Supplier<Uni<WalPosition>> position;
    private final Supplier<Uni<Void>> newEpoch;
    /** Guarded by this. */
    private final List<Batch> held = new ArrayList<>();
    private boolean checking;

    /**
     * @param position
     *            reads the server's WAL position and epoch
     * @param newEpoch
     *            starts an epoch when none is set
     */
    UnflushedBatches(Supplier<Uni<WalPosition>> position, Supplier<Uni<Void>> newEpoch) {
        this.position = position;
        this.newEpoch = newEpoch;
    }

    private static final class Batch {
        final Supplier<Uni<UUID>> rewrite;
        final Runnable ack;
        UUID epoch;
        /** A WAL position past the batch's commit, read after it; -1 until a check read one. */
        long mark = -1;
        boolean rewriting;

        Batch(Supplier<Uni<UUID>> rewrite, UUID epoch, Runnable ack) {
            this.rewrite = rewrite;
            this.epoch = epoch;
            this.ack = ack;
        }
    }

    /**
     * A batch committed in {@code epoch} (null when it is not known: it is written again at the next look): {@code ack}
     * runs once the commit is flushed; {@code rewrite} writes it again (idempotently) and gives the epoch of that
     * commit.
     */
    void add(UUID epoch, Supplier<Uni<UUID>> rewrite, Runnable ack) {
        synchronized (this) {
            held.add(new Batch(rewrite, epoch, ack));
        }
    }

    synchronized int size() {
        return held.size();
    }

    /** One look at the WAL: acknowledges what it flushed, writes again what a crash may have lost. */
    void check() {
        List<Batch> seen;
        synchronized (this) {
            if (checking || held.isEmpty()) {
                return;
            }
            checking = true;
            // every batch seen here committed before the query below starts, so its insert position is past them
            seen = new ArrayList<>(held);
        }
        Uni.createFrom().deferred(position::get).chain(wal -> wal.epoch() == null ? newEpoch.get() : settle(seen, wal))
                .subscribe().with(done -> done(), failure -> {
                    // PostgreSQL away: the consumer waits for it too; the next tick looks again
                    LOG.debugf(failure, "WAL position not read");
                    done();
                });
    }

    private synchronized void done() {
        checking = false;
    }

    private Uni<Void> settle(List<Batch> seen, WalPosition wal) {
        List<Batch> flushed = new ArrayList<>();
        List<Batch> lost = new ArrayList<>();
        int crashed = 0;
        synchronized (this) {
            for (Batch batch : seen) {
                if (batch.rewriting) {
                    continue;
                }
                if (!Objects.equals(batch.epoch, wal.epoch())) {
                    crashed += batch.epoch == null ? 0 : 1;
                    batch.rewriting = true;
                    lost.add(batch);
                    continue;
                }
                if (batch.mark < 0) {
                    batch.mark = wal.inserted();
                }
                if (wal.flushed() >= batch.mark) {
                    flushed.add(batch);
                }
            }
            held.removeAll(flushed);
        }
        flushed.forEach(batch -> batch.ack.run());
        if (!lost.isEmpty()) {
            LOG.warnf(
                    "PostgreSQL recovered from a crash: %d read-model batches not known to be flushed are written again",
                    lost.size());
        }
        for (Batch batch : lost) {
            Uni.createFrom().deferred(batch.rewrite::get).subscribe().with(epoch -> {
                synchronized (this) {
                    batch.epoch = epoch;
                    batch.mark = -1;
                    batch.rewriting = false;
                }
            }, failure -> {
                synchronized (this) {
                    batch.rewriting = false;
                }
            });
        }
        return Uni.createFrom().voidItem();
    }
}
