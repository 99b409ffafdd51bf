package dev.runwire.api.run.accept;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.error.Problem;
import dev.runwire.api.error.RunwireException.Conflict;
import dev.runwire.model.command.RunRequested;

/**
 * What accepting a run needs from connected accounts: the credentials a run carries as pass-through data. The runs
 * feature owns this port and the connection feature provides it, so runs never depend on connections.
 */
public interface RunCredentials {

    /**
     * A run's pass-through data with the credentials of the user's connected accounts first, for every integration
     * whose scheme needs one and that the request's own pass-through data does not cover; and the integrations for
     * which the user has no account.
     *
     * @param accountId
     *            an account chosen by id (a Zapier stored action's {@code connection_id}), or null
     */
    Uni<Resolved> passThrough(UUID ownerId, String userId, UUID accountId, Collection<String> integrationKeys,
            JsonNode requested);

    /**
     * A run's pass-through data, and the integrations still lacking an account.
     *
     * @param passThrough
     *            the connected accounts' credentials first, then the request's own entries
     * @param missing
     *            integrations whose scheme needs an account the user does not have (sorted)
     */
    record Resolved(JsonNode passThrough, List<String> missing) {

        /** The 409 that names each missing integration and says where to connect it. */
        public Conflict connectionRequired(String userId) {
            return new Conflict(missing.stream().map(key -> new Problem("connection_required",
                    (userId == null ? "no connected account" : "the user " + userId + " has no connected account")
                            + " for " + key,
                    ErrorObject.Source.pointer("/userId"), Map.<String, Object> of("integrationKey", key, "connect",
                            RunRequested.Connection.urlFor(key, userId))))
                    .toList());
        }
    }
}
