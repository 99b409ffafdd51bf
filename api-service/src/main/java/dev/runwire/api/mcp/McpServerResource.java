package dev.runwire.api.mcp;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.auth.Caller;
import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.error.ApiSurface;
import dev.runwire.api.error.QueryParams;
import dev.runwire.api.error.Surface;
import dev.runwire.api.mcp.ToolDefinitions.Format;

/**
 * The owner's MCP servers ({@code /v1/mcp-servers}): each one is the URL and token an agent's MCP client is given,
 * scoped to one end user and a set of actions (ADR 0034).
 */
@ApiSurface(Surface.NATIVE)
@Path("/v1/mcp-servers")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class McpServerResource {

    private final McpServers servers;
    private final ToolExport export;
    private final Caller caller;
    private final String publicUrl;

    McpServerResource(McpServers servers, ToolExport export, Caller caller, ApiConfig config) {
        this.servers = servers;
        this.export = export;
        this.caller = caller;
        this.publicUrl = config.connections().publicUrl().replaceAll("/+$", "");
    }

    /** A server as the API shows it; {@code token} only in the answer that created it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record McpServerView(UUID id, String name, String userId, List<String> actionKeys,
            List<String> integrationKeys, String approval, String url, String token, OffsetDateTime createdAt) {
    }

    @POST
    public Uni<Response> create(McpServers.CreateRequest body) {
        return servers.create(caller.ownerId(), body)
                .map(created -> Response.status(201).entity(view(created.server(), created.token())).build());
    }

    @GET
    public Uni<List<McpServerView>> list(@QueryParam("page") String page, @QueryParam("pageSize") String pageSize) {
        return servers
                .list(caller.ownerId(), QueryParams.bounded(page, "page", 1, 1000),
                        QueryParams.bounded(pageSize, "pageSize", 20, 100))
                .map(list -> list.stream().map(server -> view(server, null)).toList());
    }

    @GET
    @Path("{id}")
    public Uni<McpServerView> get(@PathParam("id") String id) {
        return servers.get(caller.ownerId(), QueryParams.id(id, "MCP server")).map(server -> view(server, null));
    }

    /** The server's tools as definitions for the OpenAI or Anthropic API, or as MCP tools (ADR 0037). */
    @GET
    @Path("{id}/tools")
    public Uni<List<JsonNode>> tools(@PathParam("id") String id, @QueryParam("format") String format) {
        Format chosen = Format.of(format);
        return export.ofServer(caller.ownerId(), QueryParams.id(id, "MCP server"), chosen);
    }

    /** Deletes the server: its URL and token stop working at once, on every replica. */
    @DELETE
    @Path("{id}")
    public Uni<McpServerView> delete(@PathParam("id") String id) {
        return servers.delete(caller.ownerId(), QueryParams.id(id, "MCP server")).map(server -> view(server, null));
    }

    private McpServerView view(McpServer server, String token) {
        return new McpServerView(server.id(), server.name(), server.userId(), server.actionKeys(),
                server.integrationKeys(), server.approval(), publicUrl + "/mcp/" + server.id(), token,
                server.createdAt());
    }
}
