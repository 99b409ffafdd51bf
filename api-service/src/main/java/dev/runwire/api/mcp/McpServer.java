package dev.runwire.api.mcp;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * An owner's MCP server: the scope one agent's MCP client reaches through {@code /mcp/{id}}. Its tools are the actions
 * with {@code actionKeys} and every action on {@code integrationKeys}; they run as {@code userId}, asking approval as
 * {@code approval} says (on top of the owner's policy).
 */
public record McpServer(UUID id, UUID ownerId, String name, String userId, List<String> actionKeys,
        List<String> integrationKeys, String approval, OffsetDateTime createdAt) {

    /** The owner's approval policy alone. */
    public static final String APPROVAL_OWNER = "owner";
    /** Every call of a destructive action waits for approval, whatever the owner's policy. */
    public static final String APPROVAL_DESTRUCTIVE = "destructive";
    /** Every call waits for approval. */
    public static final String APPROVAL_ALWAYS = "always";
    public static final List<String> APPROVALS = List.of(APPROVAL_OWNER, APPROVAL_DESTRUCTIVE, APPROVAL_ALWAYS);
}
