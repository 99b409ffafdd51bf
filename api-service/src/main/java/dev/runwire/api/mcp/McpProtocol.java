package dev.runwire.api.mcp;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

import dev.runwire.api.action.RunnableActions;
import dev.runwire.api.action.RunnableActions.RunnableAction;
import dev.runwire.api.auth.Principal;
import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.error.Problem;
import dev.runwire.api.error.RunwireException;
import dev.runwire.api.idempotency.Idempotency;
import dev.runwire.api.run.ApprovalService;
import dev.runwire.api.run.PlanRunService;
import dev.runwire.api.run.RunService;
import dev.runwire.api.run.RunStore;
import dev.runwire.api.run.accept.Accepted;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunError;

/**
 * The Model Context Protocol over Streamable HTTP (ADR 0034): one POSTed JSON-RPC message (or, in protocol version
 * 2025-03-26, a bounded batch) is answered in the POST's response, as {@code application/json}, or, for a
 * {@code tools/call} that asks for progress or may elicit, as server-sent events. A tools-only server:
 * {@code initialize}, {@code ping}, {@code tools/list}, {@code tools/call}; notifications are taken (202), a
 * cancellation aborts its call's run, a client's response to an elicitation decides its approval. What outlives a
 * request is in PostgreSQL (sessions of clients that declared elicitation, elicitations, call records), and a cursor
 * carries the last key listed, so any replica answers any request.
 */
@ApplicationScoped
public class McpProtocol {

    /** Supported protocol versions, newest first; a client asking for another gets the newest. */
    static final List<String> VERSIONS = List.of("2025-11-25", "2025-06-18", "2025-03-26");
    /** What a request without {@code MCP-Protocol-Version} speaks, as the transport says. */
    static final String DEFAULT_VERSION = "2025-03-26";
    /** The only version with JSON-RPC batches. */
    static final String BATCH_VERSION = "2025-03-26";

    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int METHOD_NOT_FOUND = -32601;
    static final int INVALID_PARAMS = -32602;

    /** The field of an approval's elicitation that carries an edited input, as JSON text. */
    static final String EDITED_INPUT = "editedInput";
    /**
     * The {@code _meta} key of a {@code tools/call} that makes a retry with the same key (on the same server, with the
     * same tool and arguments) follow the first call's run instead of starting another.
     */
    static final String IDEMPOTENCY_KEY = "dev.runwire/idempotencyKey";
    private static final int MAX_IDEMPOTENCY_KEY = 255;

    private static final String CURSOR_PREFIX = "k:";
    private static final Logger LOG = Logger.getLogger(McpProtocol.class);

    private final ObjectMapper mapper;
    private final RunnableActions actions;
    private final RunService runs;
    private final PlanRunService plans;
    private final McpCallStore calls;
    private final McpSessions sessions;
    private final McpElicitations elicitations;
    private final McpCallFollower follower;
    private final McpStreams streams;
    private final Vertx vertx;
    private final ApprovalService approvals;
    private final Idempotency idempotency;
    private final ApiConfig.Mcp config;
    private final Duration syncWait;

    McpProtocol(ObjectMapper mapper, RunnableActions actions, RunService runs, PlanRunService plans, McpCallStore calls,
            McpSessions sessions, McpElicitations elicitations, McpCallFollower follower, McpStreams streams,
            Vertx vertx, ApprovalService approvals, Idempotency idempotency, ApiConfig config) {
        this.streams = streams;
        this.vertx = vertx;
        this.idempotency = idempotency;
        this.sessions = sessions;
        this.elicitations = elicitations;
        this.follower = follower;
        this.approvals = approvals;
        this.syncWait = config.run().syncWait();
        this.mapper = mapper;
        this.actions = actions;
        this.runs = runs;
        this.plans = plans;
        this.calls = calls;
        this.config = config.mcp();
    }

    /** What a POST carries besides its body: its protocol version, whether it takes SSE, its session header. */
    public record Exchange(String version, boolean acceptsEvents, String sessionId) {
    }

    /**
     * The answer to one POST: a JSON-RPC response (or batch of them) as one JSON document; a {@code tools/call} as
     * server-sent events when the client takes them and asked for progress or declared elicitation (ADR 0034); 202 when
     * nothing is to be answered.
     */
    public Uni<McpAnswer> handle(McpServer server, Principal who, Exchange exchange, byte[] body) {
        String headerVersion = exchange.version();
        if (headerVersion != null && !VERSIONS.contains(headerVersion)) {
            return json(refused(error(null, INVALID_REQUEST,
                    "unsupported MCP-Protocol-Version " + headerVersion + "; supported: " + VERSIONS)));
        }
        JsonNode message;
        try {
            message = mapper.readTree(body);
        } catch (JsonProcessingException | RuntimeException e) {
            return json(refused(error(null, PARSE_ERROR, "the body is not JSON")));
        } catch (java.io.IOException e) {
            return json(refused(error(null, PARSE_ERROR, "the body could not be read")));
        }
        if (message == null || message.isMissingNode()) {
            return json(refused(error(null, INVALID_REQUEST, "the body holds no JSON-RPC message")));
        }
        // a session id that is not one of this server's is 404 on any request but initialize (which starts one)
        boolean initialize = message.isObject() && "initialize".equals(message.path("method").asText(null));
        boolean checked = exchange.sessionId() != null && !initialize;
        UUID sessionId = checked ? sessionId(exchange.sessionId()) : null;
        if (checked && sessionId == null) {
            return json(unknownSession());
        }
        Uni<McpSessions.Session> session = checked ? sessions.find(server, sessionId) : Uni.createFrom().nullItem();
        return session.chain(found -> {
            if (checked && found == null) {
                return json(unknownSession());
            }
            if (message.isArray()) {
                return batch(server, who, headerVersion == null ? DEFAULT_VERSION : headerVersion, message)
                        .map(McpAnswer::of);
            }
            boolean response = message.isObject() && !message.has("method");
            if (streamable(message, exchange, found)) {
                return Uni.createFrom().item(streamed(server, who, found, message));
            }
            return one(server, who, message, false, new McpCallFollower.Peer(found, null)).chain(answer -> {
                if (answer == null) {
                    return Uni.createFrom().item(McpAnswer.accepted());
                }
                int code = answer.path("error").path("code").asInt(0);
                if (code == INVALID_REQUEST || code == PARSE_ERROR || response && answer.has("error")) {
                    return json(refused(answer));
                }
                if (initialize && answer.has("result")) {
                    return session(server, message.path("params"), answer);
                }
                return json(ok(answer));
            });
        });
    }

    /**
     * The answer to {@code initialize}: with a session ({@code Mcp-Session-Id}) when the client declared a capability
     * this server uses (elicitation), since the client sends its capabilities only here; else none, as before.
     */
    private Uni<McpAnswer> session(McpServer server, JsonNode params, ObjectNode answer) {
        JsonNode capabilities = params.path("capabilities");
        if (!capabilities.path("elicitation").isObject()) {
            return json(ok(answer));
        }
        return sessions.create(server, answer.path("result").path("protocolVersion").asText(), capabilities)
                .map(id -> McpAnswer.of(ok(answer)).header(McpEndpoint.SESSION_HEADER, id.toString()));
    }

    /** A session id as sent, or null when it cannot be one of ours. */
    static UUID sessionId(String header) {
        try {
            return header.length() == 36 ? UUID.fromString(header) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The transport's answer to a session id the server does not know (ended, purged, another server's): 404. */
    private Response unknownSession() {
        return Response.status(404).type(MediaType.APPLICATION_JSON)
                .entity(Json.write(error(null, INVALID_REQUEST, "no such MCP session; initialize again"))).build();
    }

    /** A call answered as events: the client takes them, and asked for progress or may be asked something. */
    private static boolean streamable(JsonNode message, Exchange exchange, McpSessions.Session session) {
        if (!exchange.acceptsEvents() || !message.isObject() || !message.has("id")
                || !"tools/call".equals(message.path("method").asText(null))) {
            return false;
        }
        return progressToken(message.path("params")) != null
                || session != null && (session.elicitsForms() || session.elicitsUrls());
    }

    /** The call's progress token, when it is one (a string or an integer). */
    private static JsonNode progressToken(JsonNode params) {
        JsonNode token = params.path("_meta").path("progressToken");
        return token.isTextual() || token.isIntegralNumber() ? token : null;
    }

    /**
     * A call answered as server-sent events: progress notifications and elicitation requests as the run goes, then the
     * call's response; ids on what can be resumed from (ADR 0034, "Resuming a stream"), a heartbeat when quiet. A
     * failure before anything was sent is answered through the error seam as for a JSON answer. The stream closing (the
     * client gone) stops the following, not the run (a disconnection is no cancellation).
     */
    private McpAnswer streamed(McpServer server, Principal who, McpSessions.Session session, JsonNode message) {
        return McpAnswer.events(McpSse.frames(vertx, config.heartbeat(), UUID.randomUUID(),
                sse -> one(server, who, message, false, new McpCallFollower.Peer(session, sse))));
    }

    /**
     * {@code GET} with {@code Last-Event-ID}: the rest of a {@code tools/call}'s stream, on any replica. What followed
     * that event is derived again from the run's stored events (progress, the approval or connection it waits for if
     * still open, the response once it ended), then the run is followed live up to the stream wait. Only a stream of
     * this server and owner, and of the session presented when the call had one, is resumed; anything else is 404
     * whoever's it is, a Last-Event-ID that is none of ours 400.
     */
    public Uni<McpAnswer> resume(McpServer server, Principal who, String sessionHeader, String lastEventId) {
        McpSse.Position position = McpSse.position(lastEventId);
        if (position == null) {
            return json(refused(error(null, INVALID_REQUEST,
                    "Last-Event-ID is not the id of an event this server sent (<stream>_<sequence>)")));
        }
        UUID sessionId = sessionHeader == null ? null : sessionId(sessionHeader);
        if (sessionHeader != null && sessionId == null) {
            return json(unknownSession());
        }
        Uni<McpSessions.Session> session = sessionId == null ? Uni.createFrom().nullItem()
                : sessions.find(server, sessionId);
        return session.chain(found -> {
            if (sessionId != null && found == null) {
                return json(unknownSession());
            }
            return streams.find(server, position.streamId()).map(stream -> {
                if (stream == null || stream.sessionId() != null && !stream.sessionId().equals(sessionId)) {
                    return McpAnswer.of(Response.status(404).type(MediaType.APPLICATION_JSON)
                            .entity(Json.write(error(null, INVALID_REQUEST, "no such stream to resume"))).build());
                }
                return McpAnswer.events(McpSse.frames(vertx, config.heartbeat(), stream.id(), sse -> {
                    McpCallFollower.Peer peer = new McpCallFollower.Peer(stream.sessionId() == null ? null : found,
                            sse);
                    McpCallFollower.Following following = follower.follow(server, peer, position.seq(),
                            stream.progressToken(), stream.tool(), stream.input(), stream.runId(),
                            end -> outcome(new Accepted(stream.runId(), end)), true);
                    // the answer starts at once, with the position resumed from: a run that waits sends nothing else
                    following.prime();
                    return following.outcome(config.streamWait())
                            .map(ended -> result(stream.requestId(), ended.result())).onTermination()
                            .invoke(following::stop);
                }));
            });
        });
    }

    private static Uni<McpAnswer> json(Response response) {
        return Uni.createFrom().item(McpAnswer.of(response));
    }

    private Uni<Response> batch(McpServer server, Principal who, String version, JsonNode batch) {
        if (!BATCH_VERSION.equals(version)) {
            return Uni.createFrom().item(refused(
                    error(null, INVALID_REQUEST, "JSON-RPC batches are not part of protocol version " + version)));
        }
        if (batch.isEmpty()) {
            return Uni.createFrom().item(refused(error(null, INVALID_REQUEST, "an empty batch")));
        }
        if (batch.size() > config.maxBatch()) {
            return Uni.createFrom().item(refused(error(null, INVALID_REQUEST,
                    "a batch holds at most " + config.maxBatch() + " messages; this one " + batch.size())));
        }
        List<JsonNode> entries = new ArrayList<>();
        batch.forEach(entries::add);
        // one after the other: a batch costs no more concurrency than its messages sent one by one
        return Multi.createFrom().iterable(entries).onItem()
                .transformToUniAndConcatenate(entry -> one(server, who, entry, true, McpCallFollower.Peer.NONE))
                .collect().asList().map(answers -> {
                    ArrayNode out = mapper.createArrayNode();
                    answers.stream().filter(a -> a != null).forEach(out::add);
                    return out.isEmpty() ? Response.accepted().build() : ok(out);
                });
    }

    /** The response to one message, or null for a notification or a client's response. */
    private Uni<ObjectNode> one(McpServer server, Principal who, JsonNode message, boolean inBatch,
            McpCallFollower.Peer peer) {
        if (!message.isObject()) {
            return done(error(null, INVALID_REQUEST, "a JSON-RPC message is an object"));
        }
        JsonNode id = message.get("id");
        boolean hasId = id != null;
        if (hasId && !(id.isTextual() || id.isIntegralNumber())) {
            return done(error(null, INVALID_REQUEST, "id is a string or an integer"));
        }
        if (!"2.0".equals(message.path("jsonrpc").asText(null)) || !message.path("jsonrpc").isTextual()) {
            return done(error(id, INVALID_REQUEST, "jsonrpc must be \"2.0\""));
        }
        JsonNode method = message.get("method");
        if (method == null) {
            if (hasId && (message.has("result") || message.has("error"))) {
                return inBatch ? done(null) : answered(server, peer.session(), id, message);
            }
            return done(error(id, INVALID_REQUEST, "method is required"));
        }
        if (!method.isTextual()) {
            return done(error(id, INVALID_REQUEST, "method is a string"));
        }
        if (!hasId) {
            // notifications: nothing to answer; a cancellation aborts its call's run, the others need nothing
            return "notifications/cancelled".equals(method.asText()) ? cancel(server, who, message.get("params"))
                    : done(null);
        }
        JsonNode params = message.get("params");
        if (params != null && !params.isObject() && !params.isNull()) {
            return done(error(id, INVALID_PARAMS, "params is an object"));
        }
        ObjectNode p = params == null || params.isNull() ? mapper.createObjectNode() : (ObjectNode) params;
        return switch (method.asText()) {
        case "initialize" -> done(
                inBatch ? error(id, INVALID_REQUEST, "initialize cannot be part of a batch") : initialize(id, p));
        case "ping" -> done(result(id, mapper.createObjectNode()));
        case "tools/list" -> list(server, id, p);
        case "tools/call" -> call(server, who, id, p, peer);
        default -> done(error(id, METHOD_NOT_FOUND, "no method " + method.asText()));
        };
    }

    private ObjectNode initialize(JsonNode id, ObjectNode params) {
        JsonNode asked = params.get("protocolVersion");
        if (asked == null || !asked.isTextual()) {
            return error(id, INVALID_PARAMS, "params.protocolVersion is a string");
        }
        String version = VERSIONS.contains(asked.asText()) ? asked.asText() : VERSIONS.get(0);
        ObjectNode result = mapper.createObjectNode();
        result.put("protocolVersion", version);
        // tools only; no listChanged: a stateless server has no stream to send it on
        result.putObject("capabilities").putObject("tools").put("listChanged", false);
        ObjectNode info = result.putObject("serverInfo");
        info.put("name", "runwire");
        info.put("version", "0.1.0");
        return result(id, result);
    }

    private Uni<ObjectNode> list(McpServer server, JsonNode id, ObjectNode params) {
        String after = "";
        JsonNode cursor = params.get("cursor");
        if (cursor != null && !cursor.isNull()) {
            after = cursor.isTextual() ? afterKey(cursor.asText()) : null;
            if (after == null) {
                return done(error(id, INVALID_PARAMS, "params.cursor is not a cursor this server gave"));
            }
        }
        String from = after;
        return actions.countInScope(server.ownerId(), server.actionKeys(), server.integrationKeys()).chain(count -> {
            if (count > config.metaToolsAbove()) {
                ObjectNode result = mapper.createObjectNode();
                result.set("tools", MetaTools.definitions());
                return done(result(id, result));
            }
            return page(server, id, from);
        });
    }

    private Uni<ObjectNode> page(McpServer server, JsonNode id, String after) {
        int pageSize = config.pageSize();
        return actions.runnableInScope(server.ownerId(), server.actionKeys(), server.integrationKeys(), after, "",
                pageSize + 1).map(found -> {
                    ObjectNode result = mapper.createObjectNode();
                    ArrayNode tools = result.putArray("tools");
                    found.stream().limit(pageSize).forEach(action -> tools.add(ToolDefinitions.mcp(action)));
                    if (found.size() > pageSize) {
                        result.put("nextCursor", cursor(found.get(pageSize - 1).key()));
                    }
                    return result(id, result);
                });
    }

    private Uni<ObjectNode> call(McpServer server, Principal who, JsonNode id, ObjectNode params,
            McpCallFollower.Peer peer) {
        JsonNode name = params.get("name");
        if (name == null || !name.isTextual() || name.asText().isEmpty() || name.asText().length() > ToolNames.MAX) {
            return done(error(id, INVALID_PARAMS, "params.name is the name of a tool"));
        }
        JsonNode arguments = params.get("arguments");
        if (arguments != null && !arguments.isNull() && !arguments.isObject()) {
            return done(error(id, INVALID_PARAMS, "params.arguments is an object"));
        }
        JsonNode input = arguments == null || arguments.isNull() ? mapper.createObjectNode() : arguments;
        JsonNode key = params.path("_meta").get(IDEMPOTENCY_KEY);
        if (key != null
                && (!key.isTextual() || key.asText().isBlank() || key.asText().length() > MAX_IDEMPOTENCY_KEY)) {
            return done(error(id, INVALID_PARAMS, "params._meta[\"" + IDEMPOTENCY_KEY + "\"] is a string of 1-"
                    + MAX_IDEMPOTENCY_KEY + " characters"));
        }
        return resolve(server, name.asText()).chain(action -> {
            if (action == null) {
                return MetaTools.NAMES.contains(name.asText())
                        ? meta(server, who, id, name.asText(), input, peer, params)
                        : done(error(id, INVALID_PARAMS, "no tool " + name.asText()));
            }
            return run(server, who, id, action, input, "/params/arguments", peer, progressToken(params),
                    key == null ? null : key.asText());
        });
    }

    /**
     * Runs the tool's action and follows the run until the call can be answered ({@link McpCallFollower}): up to the
     * sync wait for a JSON answer, up to the stream wait for one in events.
     */
    private Uni<ObjectNode> run(McpServer server, Principal who, JsonNode id, RunnableAction action, JsonNode input,
            String inputPointer, McpCallFollower.Peer peer, JsonNode progressToken, String idempotencyKey) {
        AtomicReference<McpCallFollower.Following> following = new AtomicReference<>();
        // the server's own policy, on top of the owner's: destructive actions, or every call, wait for approval
        Principal as = McpServer.APPROVAL_DESTRUCTIVE.equals(server.approval()) ? new Principal(who.ownerId(),
                who.subject(), who.exempt(), who.limit(), who.billable(), who.billing(), true) : who;
        String strategy = McpServer.APPROVAL_ALWAYS.equals(server.approval()) ? "ON_TOOL_CALL" : null;
        Function<Idempotency.Claim, Uni<UUID>> start = claim -> claim.runExists() ? Uni.createFrom().item(claim.runId())
                : runs.start(as, action, input, inputPointer, server.userId(), null, null, RunStore.Delivery.NATIVE,
                        false, claim, runId -> {
                            following.set(follower.follow(server, peer, 0, progressToken, ToolNames.of(action.key()),
                                    input, runId, end -> outcome(new Accepted(runId, end)), false));
                            return recordCall(server, id, runId).chain(() -> openStream(server, peer, id, runId,
                                    progressToken, ToolNames.of(action.key()), input, following.get()));
                        }, strategy).map(Accepted::runId);
        Uni<Keyed> started = idempotencyKey == null
                ? start.apply(Idempotency.Claim.NONE).map(runId -> new Keyed(runId, null))
                : idempotency
                        .once(server.ownerId(), "mcp:" + server.id() + ":" + idempotencyKey,
                                Map.of("tool", action.key(), "arguments", input),
                                claim -> start.apply(claim)
                                        .map(runId -> Response.ok(Map.of("runId", runId.toString())).build()))
                        .map(this::keyed);
        return started.chain(keyed -> {
            if (keyed.refused() != null) {
                return Uni.createFrom().item(new McpCallFollower.Ended(
                        toolError("the first call with this idempotency key was refused: " + keyed.refused()), 0));
            }
            Uni<Void> opened = Uni.createFrom().voidItem();
            if (following.get() == null) {
                // a retry with the key: the first call's run, followed from what it did so far
                following.set(follower.follow(server, peer, 0, progressToken, ToolNames.of(action.key()), input,
                        keyed.runId(), end -> outcome(new Accepted(keyed.runId(), end)), true));
                opened = openStream(server, peer, id, keyed.runId(), progressToken, ToolNames.of(action.key()), input,
                        following.get());
            }
            return opened.chain(() -> following.get().outcome(peer.streamed() ? config.streamWait() : syncWait));
        }).map(ended -> result(id, ended.result())).onFailure(RunwireException.class)
                .recoverWithUni(e -> refusal((RunwireException) e, id, peer)).onTermination().invoke(() -> {
                    McpCallFollower.Following followed = following.get();
                    if (followed != null) {
                        followed.stop();
                    }
                });
    }

    /**
     * Keeps what a GET needs to resume a streamed call ({@link McpStreams}), then primes the stream with its first id.
     * The run is committed already: a failure leaves the stream unresumable (its ids name nothing; a resume is 404)
     * rather than failing a call whose run goes on.
     */
    private Uni<Void> openStream(McpServer server, McpCallFollower.Peer peer, JsonNode id, UUID runId,
            JsonNode progressToken, String tool, JsonNode input, McpCallFollower.Following following) {
        if (!peer.streamed()) {
            return Uni.createFrom().voidItem();
        }
        McpStreams.Stream stream = new McpStreams.Stream(peer.stream().id(),
                peer.session() == null ? null : peer.session().id(), runId, id, progressToken, tool, input);
        return streams.open(server, stream).invoke(following::prime).onFailure().recoverWithUni(failure -> {
            LOG.warnf("keeping MCP stream %s of run %s failed (%s); it cannot be resumed", stream.id(), runId,
                    failure.getClass().getSimpleName());
            return Uni.createFrom().voidItem();
        });
    }

    /** The run a keyed call stands for, or the refusal the key's first call got (its stored body). */
    private record Keyed(UUID runId, String refused) {
    }

    /** What {@link Idempotency#once} answered: this call's run, or a repeat's stored answer. */
    private Keyed keyed(Response answer) {
        Object entity = answer.getEntity();
        JsonNode body = entity instanceof String text ? Json.read(text, JsonNode.class) : mapper.valueToTree(entity);
        if (answer.getStatus() != 200) {
            return new Keyed(null, Json.write(body));
        }
        return new Keyed(UUID.fromString(body.path("runId").asText()), null);
    }

    private static String idempotencyKey(ObjectNode params) {
        JsonNode key = params.path("_meta").get(IDEMPOTENCY_KEY);
        return key != null && key.isTextual() ? key.asText() : null;
    }

    /**
     * Ties the request id to the run, in PostgreSQL, before the wait for the run's end, so a cancellation reaching any
     * replica finds it. The run is committed already: a failure here leaves it uncancellable by request id (still by
     * {@code DELETE /v1/runs/{id}}) rather than failing a call whose run goes on.
     */
    private Uni<Void> recordCall(McpServer server, JsonNode id, UUID runId) {
        return calls.record(server, Json.write(id), runId).onFailure().recoverWithUni(failure -> {
            LOG.warnf("recording MCP call %s of run %s failed (%s); it cannot be cancelled by request id", id, runId,
                    failure.getClass().getSimpleName());
            return Uni.createFrom().voidItem();
        });
    }

    /**
     * A client's response to a request of ours: the answer to an approval asked through {@code elicitation/create},
     * taken to the approval's decision (the path of {@code GET/POST /v1/runs/approval}) whichever replica asked. Only
     * an open elicitation of this server, owner and session is answered; anything else is ignored (202). Accept
     * approves (with {@code editedInput}, a JSON object checked against the action's schema), decline denies, cancel
     * (or an error) decides nothing: the waiting call answers with the approval's links. An answer that is none (an
     * unknown action, content that is no object) is 400 and decides nothing; an edited input that cannot run decides
     * nothing and the waiting call says why.
     */
    private Uni<ObjectNode> answered(McpServer server, McpSessions.Session session, JsonNode id, JsonNode message) {
        UUID elicitation = id.isTextual() ? sessionId(id.asText()) : null;
        if (session == null || elicitation == null) {
            return done(null);
        }
        return elicitations.pending(server, session.id(), elicitation).chain(pending -> {
            if (pending == null) {
                return done(null);
            }
            JsonNode result = message.get("result");
            if (result == null || !result.isObject()) {
                return settled(pending, "cancelled", "the client answered the approval with an error");
            }
            String action = result.path("action").asText("");
            JsonNode content = result.get("content");
            if (!List.of("accept", "decline", "cancel").contains(action)
                    || content != null && !content.isNull() && !content.isObject()) {
                return done(error(null, INVALID_PARAMS,
                        "result.action is accept, decline or cancel, and result.content an object"));
            }
            if ("cancel".equals(action)) {
                return settled(pending, "cancelled", "the approval was dismissed");
            }
            if ("decline".equals(action)) {
                return approvals.decide(server.ownerId(), pending.denyToken())
                        .chain(decided -> settled(pending, "denied", null));
            }
            JsonNode edited = content == null ? null : content.get(EDITED_INPUT);
            if (edited == null || edited.isNull() || edited.isTextual() && edited.asText().isBlank()) {
                return approvals.decide(server.ownerId(), pending.approveToken())
                        .chain(decided -> settled(pending, "approved", null));
            }
            JsonNode input;
            try {
                input = edited.isTextual() ? mapper.readTree(edited.asText()) : null;
            } catch (JsonProcessingException e) {
                input = null;
            }
            if (input == null || !input.isObject()) {
                return refusedEdit(pending, List.of(Problem.at("invalid_input",
                        EDITED_INPUT + " is a JSON object (as text)", "/result/content/" + EDITED_INPUT)));
            }
            return approvals.approveWithEdit(server.ownerId(), pending.approveToken(), input)
                    .chain(decided -> settled(pending, "approved", null)).onFailure(RunwireException.Invalid.class)
                    .recoverWithUni(e -> refusedEdit(pending, ((RunwireException) e).problems()));
        }).onFailure(RunwireException.Malformed.class).recoverWithUni(e -> done(error(null, INVALID_PARAMS,
                "the approval can no longer be decided: " + ((RunwireException) e).problems().get(0).detail())));
    }

    private Uni<ObjectNode> settled(McpElicitations.Pending pending, String state, String detail) {
        return elicitations.settle(pending.id(), state, detail).replaceWith((ObjectNode) null);
    }

    /**
     * An edited input that cannot run decides nothing; the waiting call answers with why and the approval's links. The
     * response itself is taken (202), not refused: the official SDK's client reads a 400 on a POST that carries its
     * session as "session not found" and drops the session, ending the very call this is about.
     */
    private Uni<ObjectNode> refusedEdit(McpElicitations.Pending pending, List<Problem> problems) {
        String detail = "the edited input was refused: "
                + String.join("; ", problems.stream().map(p -> p.code() + ": " + p.detail()).toList());
        return elicitations.settle(pending.id(), "refused", detail).replaceWith((ObjectNode) null);
    }

    /**
     * {@code notifications/cancelled}: aborts the run of this server's call with that request id, as {@code DELETE
     * /v1/runs/{id}} does, without waiting for its end. An unknown or malformed id, another server's or owner's call,
     * or a run that has ended changes nothing (the receiver MAY ignore such cancellations).
     */
    private Uni<ObjectNode> cancel(McpServer server, Principal who, JsonNode params) {
        JsonNode requestId = params == null ? null : params.get("requestId");
        if (requestId == null || !(requestId.isTextual() || requestId.isIntegralNumber())) {
            return done(null);
        }
        JsonNode reason = params.get("reason");
        return calls.runOf(who.ownerId(), server.id(), Json.write(requestId)).chain(runId -> {
            if (runId == null) {
                return done(null);
            }
            // the spec asks receivers to log the reason, for debugging
            LOG.infof("MCP server %s: request %s cancelled (%s); aborting run %s", server.id(), requestId,
                    reason != null && reason.isTextual() ? loggable(reason.asText()) : "no reason given", runId);
            return plans.abort(who.ownerId(), runId, false).onFailure(RunwireException.NotFound.class).recoverWithNull()
                    .replaceWith((ObjectNode) null);
        });
    }

    /** A client's text as one bounded log line. */
    private static String loggable(String text) {
        String line = text.replaceAll("\\p{Cntrl}", " ");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    /** A call of one of the three tools of a large scope. Bad arguments are tool errors, as for any tool. */
    private Uni<ObjectNode> meta(McpServer server, Principal who, JsonNode id, String tool, JsonNode arguments,
            McpCallFollower.Peer peer, ObjectNode params) {
        JsonNode name = arguments.get("name");
        switch (tool) {
        case MetaTools.SEARCH -> {
            JsonNode query = arguments.get("query");
            JsonNode limit = arguments.get("limit");
            if (query == null || !query.isTextual() || query.asText().isBlank()
                    || query.asText().length() > MetaTools.MAX_QUERY) {
                return done(result(id, toolError("query is a string of 1-" + MetaTools.MAX_QUERY + " characters")));
            }
            if (limit != null && (!limit.canConvertToInt() || !limit.isIntegralNumber() || limit.asInt() < 1
                    || limit.asInt() > MetaTools.MAX_RESULTS)) {
                return done(result(id, toolError("limit is a whole number from 1 to " + MetaTools.MAX_RESULTS)));
            }
            List<String> words = List.of(query.asText().trim().split("\\s+"));
            return actions.searchInScope(server.ownerId(), server.actionKeys(), server.integrationKeys(), words,
                    limit == null ? 10 : limit.asInt()).map(found -> {
                        ObjectNode structured = mapper.createObjectNode();
                        ArrayNode tools = structured.putArray("tools");
                        found.forEach(action -> tools.addObject().put("name", ToolNames.of(action.key()))
                                .put("description", action.intent()));
                        return result(id, structuredResult(structured));
                    });
        }
        case MetaTools.DESCRIBE -> {
            if (name == null || !name.isTextual()) {
                return done(result(id, toolError("name is the name of a tool of this server")));
            }
            return resolve(server, name.asText()).map(
                    action -> action == null ? result(id, toolError("no tool " + name.asText() + " on this server"))
                            : result(id, structuredResult(ToolDefinitions.mcp(action))));
        }
        default -> {
            JsonNode input = arguments.get("arguments");
            if (name == null || !name.isTextual()) {
                return done(result(id, toolError("name is the name of a tool of this server")));
            }
            if (input != null && !input.isNull() && !input.isObject()) {
                return done(result(id, toolError("arguments is an object")));
            }
            return resolve(server, name.asText()).chain(action -> action == null
                    ? done(result(id, toolError("no tool " + name.asText() + " on this server")))
                    : run(server, who, id, action, input == null || input.isNull() ? mapper.createObjectNode() : input,
                            "/params/arguments/arguments", peer, progressToken(params), idempotencyKey(params)));
        }
        }
    }

    private ObjectNode structuredResult(ObjectNode structured) {
        ObjectNode result = mapper.createObjectNode();
        result.putArray("content").addObject().put("type", "text").put("text", Json.write(structured));
        result.set("structuredContent", structured);
        result.put("isError", false);
        return result;
    }

    private ObjectNode toolError(String detail) {
        ObjectNode result = mapper.createObjectNode();
        result.putArray("content").addObject().put("type", "text").put("text", detail);
        result.put("isError", true);
        return result;
    }

    /** The scope's runnable action a tool name stands for, or null. */
    private Uni<RunnableAction> resolve(McpServer server, String name) {
        String prefix = ToolNames.keyPrefix(name);
        // a plain name is its key; a shortened one is found among the keys with its prefix
        return actions
                .runnableInScope(server.ownerId(), server.actionKeys(), server.integrationKeys(), "", prefix,
                        ToolNames.hashed(name) ? 1000 : 1)
                .map(found -> found.stream().filter(action -> ToolNames.of(action.key()).equals(name)).findFirst()
                        .orElse(null));
    }

    /**
     * A refused run as a tool result the model can act on (input that fails the schema, a connection to make, no task
     * left, an action that cannot run); outages and the like stay failures of the request.
     */
    private Uni<ObjectNode> refusal(RunwireException e, JsonNode id, McpCallFollower.Peer peer) {
        if (e instanceof RunwireException.Invalid || e instanceof RunwireException.Conflict
                || e instanceof RunwireException.PaymentRequired || e instanceof RunwireException.NotFound) {
            ObjectNode result = mapper.createObjectNode();
            ArrayNode problems = mapper.createArrayNode();
            StringBuilder text = new StringBuilder("The tool was not run:");
            for (Problem problem : e.problems()) {
                ObjectNode p = problems.addObject();
                p.put("code", problem.code());
                p.put("detail", problem.detail());
                if (problem.source() != null && problem.source().pointer() != null) {
                    p.put("pointer", problem.source().pointer());
                }
                if (problem.meta() != null) {
                    p.set("meta", mapper.valueToTree(problem.meta()));
                }
                text.append("\n- ").append(problem.code()).append(": ").append(problem.detail());
                // a missing connection, asked in-band of a client that takes URL elicitation (2025-11-25)
                if ("connection_required".equals(problem.code()) && problem.meta() != null
                        && problem.meta().get("connect") instanceof String connect) {
                    p.put("connect", follower.link(connect));
                    if (peer.elicitsUrls()) {
                        peer.stream().send(follower
                                .connectElicitation(String.valueOf(problem.meta().get("integrationKey")), connect), 0);
                    }
                }
            }
            result.putArray("content").addObject().put("type", "text").put("text",
                    text.append("\n").append(Json.write(Map.of("errors", problems))).toString());
            result.put("isError", true);
            return done(result(id, result));
        }
        return Uni.createFrom().failure(e);
    }

    /** The result of a run that was accepted: its output, its failure, or that it is still going. */
    private ObjectNode outcome(Accepted accepted) {
        ObjectNode result = mapper.createObjectNode();
        ArrayNode content = result.putArray("content");
        RunEvent end = accepted.terminal();
        if (end != null && end.type() == RunEventType.RUN_SUCCEEDED) {
            JsonNode output = end.output() == null ? mapper.nullNode() : end.output();
            content.addObject().put("type", "text").put("text", Json.write(output));
            if (output.isObject()) {
                result.set("structuredContent", output);
            }
            result.put("isError", false);
            return result;
        }
        ObjectNode detail = mapper.createObjectNode();
        detail.put("runId", accepted.runId().toString());
        if (end == null) {
            detail.put("status", "RUNNING");
            detail.put("detail",
                    "the run had not ended within the wait; follow it at GET /v1/runs/" + accepted.runId());
        } else {
            RunError error = end.error();
            detail.put("status", end.type() == RunEventType.RUN_CANCELED ? "CANCELED" : "FAILED");
            if (end.type() == RunEventType.RUN_CANCELED) {
                detail.put("detail", "the run was canceled");
            }
            if (error != null) {
                detail.put("code", error.code());
                detail.put("detail", error.message());
                if (error.httpStatus() != null) {
                    detail.put("integrationStatus", error.httpStatus());
                }
                if (error.violations() != null) {
                    detail.set("violations", mapper.valueToTree(error.violations()));
                }
            }
        }
        content.addObject().put("type", "text").put("text", Json.write(detail));
        result.put("isError", true);
        return result;
    }

    private static String cursor(String lastKey) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + lastKey).getBytes(StandardCharsets.UTF_8));
    }

    /** The key a cursor continues after, or null when it is none of ours. */
    private static String afterKey(String cursor) {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            return decoded.startsWith(CURSOR_PREFIX) && decoded.length() > CURSOR_PREFIX.length()
                    ? decoded.substring(CURSOR_PREFIX.length()) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode response = mapper.createObjectNode();
        response.put("jsonrpc", "2.0");
        response.set("id", id);
        response.set("result", result);
        return response;
    }

    private ObjectNode error(JsonNode id, int code, String message) {
        ObjectNode response = mapper.createObjectNode();
        response.put("jsonrpc", "2.0");
        response.set("id", id == null ? mapper.nullNode() : id);
        response.putObject("error").put("code", code).put("message", message);
        return response;
    }

    private static Uni<ObjectNode> done(ObjectNode answer) {
        return Uni.createFrom().item(answer);
    }

    private static Response ok(JsonNode body) {
        return Response.ok(Json.write(body), MediaType.APPLICATION_JSON).build();
    }

    /** A message that is no request to answer (not JSON, not JSON-RPC, a refused batch): 400, as the transport says. */
    private static Response refused(JsonNode body) {
        return Response.status(400).type(MediaType.APPLICATION_JSON).entity(Json.write(body)).build();
    }
}
