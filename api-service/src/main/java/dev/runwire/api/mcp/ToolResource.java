package dev.runwire.api.mcp;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.auth.Caller;
import dev.runwire.api.error.ApiSurface;
import dev.runwire.api.error.Surface;
import dev.runwire.api.mcp.ToolDefinitions.Format;

/**
 * The owner's runnable actions as tool definitions for the OpenAI or Anthropic API, or as MCP tools
 * ({@code /v1/tools?format=openai|anthropic|mcp}; ADR 0037). One MCP server's scope is at
 * {@code /v1/mcp-servers/{id}/tools}.
 */
@ApiSurface(Surface.NATIVE)
@Path("/v1/tools")
@Produces(MediaType.APPLICATION_JSON)
public class ToolResource {

    private final ToolExport export;
    private final Caller caller;

    ToolResource(ToolExport export, Caller caller) {
        this.export = export;
        this.caller = caller;
    }

    @GET
    public Uni<List<JsonNode>> list(@QueryParam("format") String format) {
        return export.ofOwner(caller.ownerId(), Format.of(format));
    }
}
