package dev.runwire.executor.run;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * A bounded number of slots for work in flight. {@link #acquire()} completes at once while a slot is free, and
 * otherwise when one is released: the consumer waits on it, which is the back-pressure.
 */
final class AsyncSlots {

    private final int max;
    private final AtomicInteger used = new AtomicInteger();
    private final ConcurrentLinkedQueue<UniEmitter<? super Void>> waiting = new ConcurrentLinkedQueue<>();

    AsyncSlots(int max) {
        this.max = max;
    }

    Uni<Void> acquire() {
        return Uni.createFrom().emitter(emitter -> {
            if (tryTake()) {
                emitter.complete(null);
            } else {
                waiting.add(emitter);
                // a slot may have been released between the failed take and the enqueue
                if (tryTake()) {
                    handOver();
                }
            }
        });
    }

    void release() {
        used.decrementAndGet();
        if (!waiting.isEmpty() && tryTake()) {
            handOver();
        }
    }

    int inFlight() {
        return used.get();
    }

    private boolean tryTake() {
        int current;
        do {
            current = used.get();
            if (current >= max) {
                return false;
            }
        } while (!used.compareAndSet(current, current + 1));
        return true;
    }

    /** Gives an already-taken slot to the oldest waiter, or returns it. */
    private void handOver() {
        UniEmitter<? super Void> next = waiting.poll();
        if (next != null) {
            next.complete(null);
        } else {
            release();
        }
    }
}
