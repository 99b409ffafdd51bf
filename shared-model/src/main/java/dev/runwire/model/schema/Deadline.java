package dev.runwire.model.schema;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;

/**
 * When a compilation or validation must give up; checked cooperatively by the values everit walks. The budget is the
 * work the check does: once its time has passed, the thread's CPU time decides, so a check that only waited for a core
 * on a busy machine goes on, and the same schema and value are answered the same whatever the load.
 */
final class Deadline {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean CPU_TIME = THREADS.isCurrentThreadCpuTimeSupported();

    private final Duration budget;
    private final Thread owner = Thread.currentThread();
    private final long cpuStart = CPU_TIME ? THREADS.getCurrentThreadCpuTime() : 0;
    private long deadlineNanos;

    private Deadline(Duration budget) {
        this.budget = budget;
        this.deadlineNanos = System.nanoTime() + budget.toNanos();
    }

    static Deadline in(Duration budget) {
        return new Deadline(budget);
    }

    /** Throws once the budget is spent. */
    void check() {
        long now = System.nanoTime();
        if (now - deadlineNanos <= 0) {
            return;
        }
        if (CPU_TIME && Thread.currentThread() == owner) {
            long spent = THREADS.getCurrentThreadCpuTime() - cpuStart;
            if (spent < budget.toNanos()) {
                // the thread waited more than it worked: what it has not spent is still its own
                deadlineNanos = now + (budget.toNanos() - spent);
                return;
            }
        }
        throw new SchemaTooCostlyException("the schema check took longer than its budget of " + budget.toMillis()
                + " ms; simplify the schema or send a smaller value");
    }
}
