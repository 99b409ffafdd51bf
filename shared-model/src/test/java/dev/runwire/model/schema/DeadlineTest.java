package dev.runwire.model.schema;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** A schema check's budget is the work it does, not the time it waited for a core. */
class DeadlineTest {

    @Test
    void aCheckThatOnlyWaitedGoesOn() throws InterruptedException {
        Deadline deadline = Deadline.in(Duration.ofMillis(50));
        // as a thread that gets no core for a while on a busy machine: time passes, no work is done
        Thread.sleep(150);
        assertDoesNotThrow(deadline::check);
    }

    @Test
    void aCheckThatWorkedPastItsBudgetStops() {
        Deadline deadline = Deadline.in(Duration.ofMillis(50));
        assertThrows(SchemaTooCostlyException.class, () -> {
            long sink = 0;
            while (true) {
                for (int i = 0; i < 10_000; i++) {
                    sink += i ^ sink;
                }
                deadline.check();
                if (sink == 42) {
                    return;
                }
            }
        });
    }

    @Test
    void anotherThreadIsHeldToTheClock() throws Exception {
        Deadline deadline = Deadline.in(Duration.ofMillis(20));
        Thread.sleep(60);
        Throwable[] thrown = new Throwable[1];
        Thread other = new Thread(() -> {
            try {
                deadline.check();
            } catch (Throwable t) {
                thrown[0] = t;
            }
        });
        other.start();
        other.join();
        assertThrows(SchemaTooCostlyException.class, () -> {
            throw thrown[0];
        });
    }
}
