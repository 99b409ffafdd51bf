package dev.runwire.api.mcp;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * An owner's MCP server: the scope one agent's MCP client reaches through {@code /mcp/{id}}. Its tools are the actions
 * with {@code actionKeys} and every action on {@code integrationKeys}; they run as {@code userId}.
 */
public record McpServer(UUID id, UUID ownerId, String name, String userId, List<String> actionKeys,
        List<String> integrationKeys, OffsetDateTime createdAt) {
}
