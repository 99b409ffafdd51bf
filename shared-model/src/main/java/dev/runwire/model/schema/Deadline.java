package dev.runwire.model.schema;

import java.time.Duration;

/** When a compilation or validation must give up; checked cooperatively by the values everit walks. */
final class Deadline {

    private final long deadlineNanos;
    private final Duration budget;

    private Deadline(Duration budget) {
        this.budget = budget;
        this.deadlineNanos = System.nanoTime() + budget.toNanos();
    }

    static Deadline in(Duration budget) {
        return new Deadline(budget);
    }

    /** Throws once the budget is spent. */
    void check() {
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new SchemaTooCostlyException("the schema check took longer than its budget of " + budget.toMillis()
                    + " ms; simplify the schema or send a smaller value");
        }
    }
}
