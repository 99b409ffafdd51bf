package dev.runwire.api.integration;

import java.util.UUID;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * What deleting an integration needs from connected accounts. The integration feature owns this port and the connection
 * feature provides it, so integrations never depend on connections (which depend on integrations' auth schemes).
 */
public interface IntegrationAccounts {

    /** Revokes every account of a deleted integration, in the transaction that deletes it. */
    Uni<Void> revokeAll(SqlConnection conn, UUID ownerId, String integrationKey);
}
