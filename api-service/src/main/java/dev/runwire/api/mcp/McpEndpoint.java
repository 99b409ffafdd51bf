package dev.runwire.api.mcp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestMulti;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import dev.runwire.api.auth.Admission;
import dev.runwire.api.auth.ApiKey;
import dev.runwire.api.auth.ApiKeys;
import dev.runwire.api.auth.Authenticator;
import dev.runwire.api.auth.Jwts;
import dev.runwire.api.auth.Principal;
import dev.runwire.api.error.ApiSurface;
import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.error.RunwireException;
import dev.runwire.api.error.Surface;

/**
 * An MCP server's endpoint ({@code /mcp/{serverId}}), Streamable HTTP; sessions only for clients that declare
 * elicitation, kept in PostgreSQL (ADR 0034). A request presents the server's own token, or an API key or JWT of the
 * owner's ({@code Authorization: Bearer} or {@code x-api-key}); anything else is 401, and another owner's credentials
 * find no such server (404). Counted against the rate limit of the credential like every request. The POST is left out
 * of the OpenAPI document: its body is JSON-RPC, described by the MCP specification, and its answers to a request are
 * JSON-RPC responses, not this API's error shapes; the GET that resumes a stream is described there.
 */
@ApiSurface(value = Surface.MCP, apiKey = false)
@Path("/mcp/{serverId}")
public class McpEndpoint {

    static final String SESSION_HEADER = "Mcp-Session-Id";

    private final McpServerStore servers;
    private final Authenticator authenticator;
    private final Admission admission;
    private final McpProtocol protocol;
    private final McpSessions sessions;

    McpEndpoint(McpServerStore servers, Authenticator authenticator, Admission admission, McpProtocol protocol,
            McpSessions sessions) {
        this.sessions = sessions;
        this.servers = servers;
        this.authenticator = authenticator;
        this.admission = admission;
        this.protocol = protocol;
    }

    /**
     * One JSON-RPC message (or a 2025-03-26 batch), answered as one JSON document, or as server-sent events for a
     * {@code tools/call} that asks for progress or may need to ask the client something (ADR 0034). The answer's media
     * type is decided per request, hence a {@link RestMulti} (its status and headers come with the first item).
     */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(hidden = true)
    public Multi<byte[]> post(@PathParam("serverId") String serverId, @Context HttpHeaders headers,
            @HeaderParam("MCP-Protocol-Version") String version, @HeaderParam("Accept") String accept,
            @HeaderParam(SESSION_HEADER) String sessionId, byte[] body) {
        Uni<McpAnswer> answer = admitted(serverId, headers).chain(admitted -> admitted.refusal() != null
                ? Uni.createFrom().item(McpAnswer.of(admitted.refusal()))
                : protocol.handle(admitted.server(), admitted.who(),
                        new McpProtocol.Exchange(version, accepts(accept, McpAnswer.EVENT_STREAM), sessionId), body))
                .map(answered -> answered.headers(admission.rateLimitHeaders()));
        return RestMulti.fromUniResponse(answer, McpAnswer::body, McpAnswer::headers, McpAnswer::status);
    }

    /**
     * With {@code Last-Event-ID}: the rest of a {@code tools/call}'s stream that broke, on any replica (ADR 0034,
     * "Resuming a stream"), authenticated and counted as a POST. Without it, 405: no stream is offered outside a call's
     * answer (nothing is ever sent unasked), as the transport allows. Described in {@code META-INF/openapi.yaml}.
     */
    @GET
    @Operation(hidden = true)
    public Multi<byte[]> stream(@PathParam("serverId") String serverId, @Context HttpHeaders headers,
            @HeaderParam("Last-Event-ID") String lastEventId, @HeaderParam(SESSION_HEADER) String sessionId) {
        Uni<McpAnswer> answer = lastEventId == null ? Uni.createFrom().item(McpAnswer.of(notAllowed()))
                : admitted(serverId, headers)
                        .chain(admitted -> admitted.refusal() != null
                                ? Uni.createFrom().item(McpAnswer.of(admitted.refusal()))
                                : protocol.resume(admitted.server(), admitted.who(), sessionId, lastEventId))
                        .map(answered -> answered.headers(admission.rateLimitHeaders()));
        return RestMulti.fromUniResponse(answer, McpAnswer::body, McpAnswer::headers, McpAnswer::status);
    }

    /**
     * Ends the session named by {@code Mcp-Session-Id} (204; 404 when this server has no such session). Without one,
     * there is nothing to end: 405.
     */
    @DELETE
    @Operation(hidden = true)
    public Uni<Response> endSession(@PathParam("serverId") String serverId, @Context HttpHeaders headers,
            @HeaderParam(SESSION_HEADER) String sessionId) {
        if (sessionId == null) {
            return Uni.createFrom().item(notAllowed());
        }
        return admitted(serverId, headers).chain(admitted -> {
            if (admitted.refusal() != null) {
                return Uni.createFrom().item(admitted.refusal());
            }
            UUID session = McpProtocol.sessionId(sessionId);
            Uni<Boolean> ended = session == null ? Uni.createFrom().item(false)
                    : sessions.end(admitted.server(), session);
            return ended.map(done -> done ? Response.noContent().build()
                    : Surface.MCP.response(new RunwireException.NotFound("no MCP session " + sessionId)));
        });
    }

    /** Whether an Accept header takes the media type (exactly, or through a wildcard). */
    static boolean accepts(String accept, String type) {
        if (accept == null) {
            return false;
        }
        for (String part : accept.split(",")) {
            String range = part.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
            if (range.equals(type) || range.equals("text/*") && type.startsWith("text/")) {
                return true;
            }
        }
        return false;
    }

    private record Admitted(McpServer server, Principal who, Response refusal) {
    }

    private Uni<Admitted> admitted(String serverId, HttpHeaders headers) {
        String token = ApiKeys.presented(headers::getHeaderString);
        if (token == null) {
            throw unauthenticated("a valid MCP server token, API key or token is required");
        }
        UUID id;
        try {
            id = UUID.fromString(serverId);
        } catch (IllegalArgumentException e) {
            id = null;
        }
        Uni<McpServerStore.Stored> stored = id == null ? Uni.createFrom().nullItem() : servers.stored(id);
        return stored.chain(found -> {
            if (token.startsWith(McpServers.TOKEN_PREFIX)) {
                if (found == null || !sameHash(found.tokenHash(), ApiKey.hash(token))) {
                    throw unauthenticated("the token is not this MCP server's");
                }
                return authenticator.ofOwner(found.server().ownerId(), "mcp:" + found.server().id())
                        .chain(who -> admit(found.server(), who));
            }
            return authenticator.principal(token).chain(who -> {
                if (who == null) {
                    throw unauthenticated("the API key is not valid");
                }
                if (found == null || !found.server().ownerId().equals(who.ownerId())) {
                    throw new RunwireException.NotFound("no MCP server with id " + serverId);
                }
                return admit(found.server(), who);
            }).onFailure(Jwts.InvalidTokenException.class).transform(e -> unauthenticated(e.getMessage()));
        });
    }

    private Uni<Admitted> admit(McpServer server, Principal who) {
        if (who == null) {
            throw unauthenticated("the MCP server's owner no longer exists");
        }
        return admission.admit(who, Surface.MCP).map(refusal -> new Admitted(server, who, refusal));
    }

    private static boolean sameHash(String stored, String presented) {
        return MessageDigest.isEqual(stored.getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.US_ASCII));
    }

    private static RunwireException unauthenticated(String detail) {
        return new RunwireException.Unauthenticated(detail);
    }

    private static Response notAllowed() {
        return Response.fromResponse(Surface.MCP.response(new ErrorObject(405, "method_not_allowed",
                "Method Not Allowed",
                "this MCP endpoint takes POSTed JSON-RPC messages, GET with Last-Event-ID to resume a tool call's "
                        + "stream, and DELETE of a session it issued; it offers no stream of its own",
                null, null))).header("Allow", "POST, DELETE").build();
    }
}
