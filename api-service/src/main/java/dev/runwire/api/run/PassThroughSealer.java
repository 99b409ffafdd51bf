package dev.runwire.api.run;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.command.SealedSecret;
import dev.runwire.model.crypto.SecretSealer;

/** Seals a run's pass-through data for the executor, bound to the run (see docs/adr/0006-pass-through-secrets.md). */
@ApplicationScoped
public class PassThroughSealer {

    private final SecretSealer sealer;

    PassThroughSealer(SecretSealer sealer) {
        this.sealer = sealer;
    }

    /** The sealed pass-through data, or null when there is none. */
    public SealedSecret seal(JsonNode passThrough, UUID runId) {
        return passThrough == null || passThrough.isNull() ? null
                : sealer.seal(passThrough.toString(), runId.toString());
    }
}
