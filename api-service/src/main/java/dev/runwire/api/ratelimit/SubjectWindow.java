package dev.runwire.api.ratelimit;

import java.util.concurrent.CompletableFuture;

/**
 * One subject's current window as this replica knows it: the quota leased here and not used yet, the window's total
 * granted to all replicas as of the last lease seen here, and the lease in flight, which every request that finds the
 * slice empty waits for instead of leasing again. Requests of one subject arrive on several event loops, so every
 * change happens under the object's monitor; nothing under it waits for anything.
 */
final class SubjectWindow {

    /** What a request does next: it is decided, or it waits for {@code lease} (and starts it when {@code start}). */
    record Step(RateLimiter.Decision decision, CompletableFuture<Void> lease, boolean start) {
    }

    /** The window's start, epoch seconds. */
    final long start;
    private final long resetAt;
    /** Leased here, not used yet. */
    private int left;
    /**
     * The window's total granted to all replicas, at least: what the last lease here returned, or the limit once a
     * lease found nothing left.
     */
    private int granted;
    private CompletableFuture<Void> lease;

    SubjectWindow(long start, long windowSeconds) {
        this.start = start;
        this.resetAt = start + windowSeconds;
    }

    /**
     * Admits from the slice, refuses when the window has nothing left under {@code limit}, or says which lease to wait
     * for. The remaining count is what this replica knows: the limit, less what all replicas had been granted at its
     * last lease, plus what is left of its slice. It only goes down here: each admission takes one from the slice, and
     * a lease adds its slice to both terms.
     */
    synchronized Step take(int limit) {
        if (granted > limit) {
            // the slice was leased under a higher limit than this request's: the window is past its limit
            return decided(false, limit, 0);
        }
        if (left > 0) {
            left--;
            return decided(true, limit, limit - granted + left);
        }
        if (granted == limit) {
            return decided(false, limit, 0);
        }
        if (lease != null) {
            return new Step(null, lease, false);
        }
        lease = new CompletableFuture<>();
        return new Step(null, lease, true);
    }

    /** A lease in flight took {@code lease.taken()}; the window's total is {@code lease.granted()}. */
    synchronized void leased(RateWindows.Lease lease) {
        left += lease.taken();
        granted = Math.max(granted, lease.granted());
        this.lease = null;
    }

    /** A lease in flight found nothing left under {@code limit}. */
    synchronized void exhausted(int limit) {
        granted = Math.max(granted, limit);
        lease = null;
    }

    /** A lease in flight failed: the next request tries again. */
    synchronized void failed() {
        lease = null;
    }

    /** Quota leased here and not used yet. */
    synchronized int left() {
        return left;
    }

    private Step decided(boolean admitted, int limit, int remaining) {
        return new Step(new RateLimiter.Decision(admitted, limit, Math.max(0, remaining), resetAt), null, false);
    }
}
