package dev.runwire.system.resilience;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.runwire.system.support.FaultRig;

/**
 * PostgreSQL stopped ({@code pg_ctl stop -m fast}, then {@code -m immediate}) and started again under a load of
 * synchronous, asynchronous and plan runs: every run answered 2xx ends once with contiguous events; while the database
 * is away requests get 503 with {@code Retry-After} and write nothing; both services recover by themselves, say they
 * are not ready while they cannot make a request durable, and stay live throughout (docs/adr/0029-process-faults.md).
 */
class DatabaseFaultIT {

    @Test
    void everyAcceptedRunEndsOnceWhenPostgresIsStoppedAndStarted() throws Exception {
        try (FaultRig rig = new FaultRig("db-fault"); FaultRig.Load load = rig.load(6, Duration.ofMillis(300))) {
            FaultRig.OutageFigures fast = rig.outage("postgres stop -m fast", load, () -> rig.postgres.stop("fast"),
                    rig.postgres::start, Duration.ofSeconds(10));
            FaultRig.OutageFigures immediate = rig.outage("postgres stop -m immediate", load,
                    () -> rig.postgres.stop("immediate"), rig.postgres::start, Duration.ofSeconds(10));
            load.close();
            rig.verify(load, List.of(fast, immediate));
        }
    }
}
