package dev.runwire.api.mcp;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.action.RunnableActions;
import dev.runwire.api.action.RunnableActions.RunnableAction;
import dev.runwire.api.mcp.ToolDefinitions.Format;

/**
 * Tool definitions for direct use (ADR 0037): the owner's whole catalog, or one MCP server's scope, in the order and
 * with the names {@code tools/list} gives, rendered for MCP, OpenAI or Anthropic. Every tool, also above the meta-tool
 * threshold: a caller of these APIs picks the tools it sends.
 */
@ApplicationScoped
public class ToolExport {

    /** Rows read per statement: the catalog is read on key order, a page at a time, so no statement is unbounded. */
    static final int PAGE = 500;

    private final RunnableActions actions;
    private final McpServers servers;

    ToolExport(RunnableActions actions, McpServers servers) {
        this.actions = actions;
        this.servers = servers;
    }

    public Uni<List<JsonNode>> ofOwner(UUID ownerId, Format format) {
        return all(after -> actions.runnableOfOwner(ownerId, after, PAGE), format);
    }

    /** The scope of the owner's server; another owner's server is not found (404). */
    public Uni<List<JsonNode>> ofServer(UUID ownerId, UUID serverId, Format format) {
        return servers.get(ownerId, serverId).chain(server -> all(after -> actions.runnableInScope(ownerId,
                server.actionKeys(), server.integrationKeys(), after, "", PAGE), format));
    }

    private Uni<List<JsonNode>> all(Function<String, Uni<List<RunnableAction>>> page, Format format) {
        return next(page, "", new ArrayList<>(), format);
    }

    private Uni<List<JsonNode>> next(Function<String, Uni<List<RunnableAction>>> page, String after,
            List<JsonNode> tools, Format format) {
        return page.apply(after).chain(found -> {
            found.forEach(action -> tools.add(ToolDefinitions.of(action, format)));
            if (found.size() < PAGE) {
                return Uni.createFrom().item(tools);
            }
            return next(page, found.get(found.size() - 1).key(), tools, format);
        });
    }
}
