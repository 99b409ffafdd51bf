package dev.runwire.system.resilience;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.runwire.system.support.FaultRig;

/**
 * {@code kill -9} of the Kafka broker under a load of synchronous, asynchronous and plan runs, then a restart on the
 * same data and port: every run answered 2xx ends once with contiguous events; while the broker is away requests get
 * 503 with {@code Retry-After} and write nothing; both services recover by themselves, say they are not ready while
 * they cannot make a request durable, and stay live throughout (docs/adr/0029-process-faults.md).
 */
class BrokerFaultIT {

    @Test
    void everyAcceptedRunEndsOnceWhenTheBrokerIsKilledAndRestarted() throws Exception {
        try (FaultRig rig = new FaultRig("broker-fault"); FaultRig.Load load = rig.load(6, Duration.ofMillis(300))) {
            FaultRig.OutageFigures killed = rig.outage("kafka kill -9", load, rig.kafka::kill9, rig.kafka::start,
                    Duration.ofSeconds(10));
            load.close();
            rig.verify(load, List.of(killed));
        }
    }
}
