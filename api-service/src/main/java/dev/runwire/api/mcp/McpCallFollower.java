package dev.runwire.api.mcp;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.feed.RunFeed;
import dev.runwire.api.feed.StreamedEvent;
import dev.runwire.api.run.RunStore;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.json.Json;

/**
 * Follows the run of one {@code tools/call} until the call can be answered (ADR 0034): the run's end; or a wait the
 * client cannot resolve in-band (an approval or a connection the client cannot be asked for, an outcome to resolve),
 * answered at once as a tool result with the link to resolve it while the run waits on. On the way, with a stream to
 * the client, step events become progress notifications and an approval becomes an {@code elicitation/create}. Events
 * come from this replica's broadcast and, once a second, from the store (a broadcast reassigned meanwhile loses
 * nothing; each event is taken once); nothing about the call lives only here except the wait itself.
 */
@ApplicationScoped
public class McpCallFollower {

    private static final Logger LOG = Logger.getLogger(McpCallFollower.class);
    private static final Duration LOOK = Duration.ofSeconds(1);

    /**
     * Where a streamed call's messages go (ADR 0034, "Resuming a stream"): each with the sequence of the run event it
     * stands for, which its SSE event id carries (0: none, the message cannot be resumed from).
     */
    interface Outlet {
        /** The stream's id, which its event ids carry. */
        UUID id();

        /** Sends one message of the call's stream. */
        void send(ObjectNode message, long seq);

        /** The id the call's response will carry: the sequence of the run event that decided it. */
        void answeredAt(long seq);

        /**
         * A message without data whose event id is the position reached, so that a client cut off before any other
         * message can still resume (2025-11-25's priming event).
         */
        void prime(long seq);

        /** Runs the action once the client is gone (at once when it is already); the call stops following then. */
        void onGone(Runnable action);
    }

    /** The client of one call: its session (null: none) and its stream (null: answered as one JSON document). */
    record Peer(McpSessions.Session session, Outlet stream) {
        static final Peer NONE = new Peer(null, null);

        boolean streamed() {
            return stream != null;
        }

        boolean elicitsForms() {
            return stream != null && session != null && session.elicitsForms();
        }

        boolean elicitsUrls() {
            return stream != null && session != null && session.elicitsUrls();
        }

        /** A request's or notification's params carry {@code mode} only from 2025-11-25 on. */
        boolean speaksModes() {
            return session != null && "2025-11-25".equals(session.protocolVersion());
        }
    }

    private final RunFeed feed;
    private final RunStore store;
    private final McpElicitations elicitations;
    private final Vertx vertx;
    private final ObjectMapper mapper;
    private final String publicUrl;

    McpCallFollower(RunFeed feed, RunStore store, McpElicitations elicitations, Vertx vertx, ObjectMapper mapper,
            ApiConfig config) {
        this.feed = feed;
        this.store = store;
        this.elicitations = elicitations;
        this.vertx = vertx;
        this.mapper = mapper;
        this.publicUrl = config.connections().publicUrl();
    }

    /**
     * Starts following a call's run: right after the run is committed, or one that exists already ({@code existing}: a
     * retried call with its idempotency key, a resumed stream), whose store is then read at once since what happened so
     * far is no longer on the broadcast. For a stream, only what comes after the run event {@code after} is sent: the
     * state (progress so far, the wait the run is in) is rebuilt from every event, so a resumed stream says exactly
     * what the broken one would have said next.
     */
    Following follow(McpServer server, Peer peer, long after, JsonNode progressToken, String tool, JsonNode input,
            UUID runId, Function<RunEvent, ObjectNode> render, boolean existing) {
        Following following = new Following(server, peer, after, progressToken, tool, input, runId, render);
        following.start(existing);
        return following;
    }

    /** An absolute link on this service. */
    String link(String path) {
        return publicUrl.replaceAll("/+$", "") + path;
    }

    /** A URL-mode elicitation (2025-11-25) asking the user to connect an account at the link. */
    ObjectNode connectElicitation(String integrationKey, String connectPath) {
        return connectElicitation(integrationKey, connectPath, UUID.randomUUID().toString());
    }

    private ObjectNode connectElicitation(String integrationKey, String connectPath, String elicitationId) {
        ObjectNode request = mapper.createObjectNode();
        request.put("jsonrpc", "2.0");
        request.put("id", "rwc_" + elicitationId);
        request.put("method", "elicitation/create");
        ObjectNode params = request.putObject("params");
        params.put("mode", "url");
        params.put("elicitationId", elicitationId);
        params.put("url", link(connectPath));
        params.put("message",
                "Connect an account to " + integrationKey
                        + " for this tool to run. A run already waiting for it goes on once the account is connected; "
                        + "otherwise call the tool again.");
        return request;
    }

    /**
     * How a followed call ended: its tool result and the run event that decided it (0: none, e.g. the wait ran out).
     */
    record Ended(ObjectNode result, long seq) {
    }

    /**
     * One call's following. Its state is touched on one Vert.x context only. Events are taken in sequence order (a
     * later one waits for the store to fill a gap), so the frames of a stream come in the order of their ids. A wait
     * the run enters (approval, connection, outcome unknown) is acted on once the events at hand are taken and none has
     * ended it: replaying a run whose approval was decided since asks nothing.
     */
    final class Following {

        private final McpServer server;
        private final Peer peer;
        private final UUID streamId;
        private final long after;
        private final JsonNode progressToken;
        private final String tool;
        private final JsonNode input;
        private final UUID runId;
        private final Function<RunEvent, ObjectNode> render;
        private final Context context = vertx.getOrCreateContext();
        private final CompletableFuture<Ended> result = new CompletableFuture<>();
        private final TreeMap<Long, RunEvent> early = new TreeMap<>();
        private final Consumer<StreamedEvent> listener = streamed -> context
                .runOnContext(v -> takeLive(streamed.event()));
        private long contiguous;
        private long timer = -1;
        private double progress;
        private int stepsDone;
        private boolean looking;
        /** The wait the run is in (its latest event saying so), until an event ends it. */
        private RunEvent waiting;
        private boolean waitActedOn;
        /** The approval elicitation being written (its frame follows), or 0. */
        private long asking;
        private UUID asked;
        private RunEvent approvalAsked;
        /** The URL elicitation sent for the current wait, completed once the wait ends. */
        private String connectAsked;

        private Following(McpServer server, Peer peer, long after, JsonNode progressToken, String tool, JsonNode input,
                UUID runId, Function<RunEvent, ObjectNode> render) {
            this.server = server;
            this.peer = peer;
            this.streamId = peer.streamed() ? peer.stream().id() : null;
            this.after = after;
            this.progressToken = progressToken;
            this.tool = tool;
            this.input = input;
            this.runId = runId;
            this.render = render;
        }

        private void start(boolean existing) {
            feed.listen(runId, listener);
            if (peer.streamed()) {
                // a disconnect is no cancellation: the run goes on, only this following ends (ADR 0034)
                peer.stream().onGone(() -> context.runOnContext(v -> result.complete(new Ended(null, 0))));
            }
            context.runOnContext(v -> {
                if (!result.isDone()) {
                    timer = vertx.setPeriodic(LOOK.toMillis(), id -> look());
                    if (existing) {
                        look();
                    }
                }
            });
        }

        /** Sends the stream's priming event, with the position reached so far; from any thread. */
        void prime() {
            context.runOnContext(v -> {
                if (!result.isDone() && peer.streamed()) {
                    peer.stream().prime(asking > 0 ? asking - 1 : Math.max(after, contiguous));
                }
            });
        }

        /** How the call ended, once it can be answered, or the still-running result after {@code wait}. */
        Uni<Ended> outcome(Duration wait) {
            return Uni.createFrom().completionStage(result).ifNoItem().after(wait)
                    .recoverWithItem(() -> new Ended(render.apply(null), 0));
        }

        /** Stops listening; from any thread. */
        void stop() {
            feed.unlisten(runId, listener);
            context.runOnContext(v -> {
                if (timer >= 0) {
                    vertx.cancelTimer(timer);
                    timer = -1;
                }
            });
        }

        /** The store, for events the broadcast did not bring, and the open elicitation's answer. */
        private void look() {
            if (result.isDone() || looking) {
                return;
            }
            looking = true;
            UUID elicitation = asked;
            store.eventsAfter(runId, contiguous)
                    .chain(events -> elicitation == null ? Uni.createFrom().item(new Looked(events, null))
                            : elicitations.state(elicitation).map(state -> new Looked(events, state)))
                    .subscribe().with(looked -> context.runOnContext(v -> {
                        looking = false;
                        take(looked.events());
                        McpElicitations.State state = looked.state();
                        if (state != null && refused(state.state()) && approvalAsked != null) {
                            finish(pendingApproval(approvalAsked, state.detail()), approvalAsked.seq());
                        }
                    }), failure -> context.runOnContext(v -> {
                        looking = false;
                        LOG.debugf("run %s: the store could not be read (%s); the broadcast still counts", runId,
                                failure.getClass().getSimpleName());
                    }));
        }

        /** Takes events once each, in sequence order; then acts on the wait the run is left in, if any. */
        private void take(List<RunEvent> events) {
            if (result.isDone()) {
                return;
            }
            events.stream().filter(event -> event.seq() > contiguous)
                    .forEach(event -> early.putIfAbsent(event.seq(), event));
            while (!early.isEmpty() && early.firstKey() == contiguous + 1 && !result.isDone()) {
                contiguous++;
                apply(early.pollFirstEntry().getValue());
            }
            if (!result.isDone() && waiting != null && !waitActedOn) {
                waitActedOn = true;
                actOn(waiting);
            }
        }

        /** A broadcast event; a gap before it (an event broadcast before this call listened) is looked for at once. */
        private void takeLive(RunEvent event) {
            take(List.of(event));
            if (!early.isEmpty()) {
                look();
            }
        }

        private void apply(RunEvent event) {
            switch (event.type()) {
            case RUN_PAUSED -> {
                // the run's side of a wait already taken
            }
            case RUN_APPROVAL_REQUESTED, STEP_APPROVAL_REQUESTED -> {
                if (event.approval() != null) {
                    waitOn(event);
                }
            }
            case RUN_AUTH_REQUIRED, STEP_AUTH_REQUIRED -> {
                if (event.connect() != null) {
                    waitOn(event);
                }
            }
            case STEP_OUTCOME_UNKNOWN -> waitOn(event);
            default -> {
                endWait(event);
                switch (event.type()) {
                case STEP_STARTED -> progress(stepsDone + 0.5, "step " + event.stepId() + " started", event.seq());
                case STEP_SUCCEEDED, STEP_FAILED, STEP_SKIPPED, STEP_CANCELED -> {
                    stepsDone++;
                    progress(stepsDone, "step " + event.stepId() + " " + ended(event), event.seq());
                }
                default -> {
                    if (event.type().isTerminal()) {
                        finish(render.apply(event), event.seq());
                    }
                }
                }
            }
            }
        }

        private void waitOn(RunEvent event) {
            waiting = event;
            waitActedOn = false;
        }

        /**
         * An event past the wait ends it: the approval was decided, the account connected, the outcome resolved. A URL
         * elicitation sent for it is then completed (2025-11-25), so the client can stop showing its link.
         */
        private void endWait(RunEvent event) {
            if (waiting == null) {
                return;
            }
            if (connectAsked == null && waiting.connect() != null && waiting.seq() <= after && peer.elicitsUrls()) {
                // the broken stream showed it before the client resumed past it
                connectAsked = connectElicitationId(waiting);
            }
            if (connectAsked != null && event.seq() > after) {
                ObjectNode notification = mapper.createObjectNode();
                notification.put("jsonrpc", "2.0");
                notification.put("method", "notifications/elicitation/complete");
                notification.putObject("params").put("elicitationId", connectAsked);
                peer.stream().send(notification, event.seq());
            }
            waiting = null;
            connectAsked = null;
            approvalAsked = null;
            asked = null;
        }

        private void actOn(RunEvent event) {
            switch (event.type()) {
            case RUN_APPROVAL_REQUESTED, STEP_APPROVAL_REQUESTED -> askApproval(event);
            case RUN_AUTH_REQUIRED, STEP_AUTH_REQUIRED -> askConnection(event);
            default -> finish(waiting(event, "outcome_unknown",
                    "the step's call may or may not have taken effect; the run waits until it is resolved with POST "
                            + link("/v1/runs/" + runId + "/resolve"),
                    null), event.seq());
            }
        }

        private String ended(RunEvent event) {
            return event.type().name().substring("STEP_".length()).toLowerCase(Locale.ROOT);
        }

        /**
         * A progress notification, when asked for one and it moves forward (the protocol wants it increasing); one the
         * client had before its stream broke only moves the count.
         */
        private void progress(double value, String message, long seq) {
            if (progressToken == null || !peer.streamed() || value <= progress) {
                return;
            }
            progress = value;
            if (seq <= after) {
                return;
            }
            ObjectNode notification = mapper.createObjectNode();
            notification.put("jsonrpc", "2.0");
            notification.put("method", "notifications/progress");
            ObjectNode params = notification.putObject("params");
            params.set("progressToken", progressToken);
            params.put("progress", value);
            params.put("total", 1);
            params.put("message", message);
            peer.stream().send(notification, seq);
        }

        /**
         * Asks the approval in-band: the elicitation of this session for this wait when there is one already (a resumed
         * stream, a retried call), else a new one. An open one is sent unless the client had it; one dismissed or
         * refused answers with the links; a decided one waits for the run's next event.
         */
        private void askApproval(RunEvent event) {
            approvalAsked = event;
            if (!peer.elicitsForms()) {
                finish(pendingApproval(event, null), event.seq());
                return;
            }
            asking = event.seq();
            RunEvent.ApprovalLinks links = event.approval();
            UUID session = peer.session().id();
            elicitations.existing(server, session, runId, event.stepId())
                    .chain(found -> found != null ? Uni.createFrom().item(found)
                            : elicitations.open(server, session, runId, event.stepId(), links.approveToken(),
                                    links.denyToken()).map(id -> new McpElicitations.Asked(id, "open", null)))
                    .subscribe().with(found -> context.runOnContext(v -> {
                        asking = 0;
                        if (result.isDone() || waiting != event) {
                            return;
                        }
                        asked = found.id();
                        if (refused(found.state())) {
                            finish(pendingApproval(event, found.detail()), event.seq());
                        } else if ("open".equals(found.state()) && event.seq() > after) {
                            peer.stream().send(approvalElicitation(found.id()), event.seq());
                        }
                    }), failure -> context.runOnContext(v -> {
                        asking = 0;
                        LOG.warnf("run %s: the approval could not be asked in-band (%s); answered with its links",
                                runId, failure.getClass().getSimpleName());
                        finish(pendingApproval(event, null), event.seq());
                    }));
        }

        private ObjectNode approvalElicitation(UUID id) {
            ObjectNode request = mapper.createObjectNode();
            request.put("jsonrpc", "2.0");
            request.put("id", id.toString());
            request.put("method", "elicitation/create");
            ObjectNode params = request.putObject("params");
            if (peer.speaksModes()) {
                params.put("mode", "form");
            }
            params.put("message", "Approve running the tool " + tool + " as " + server.userId() + " with this input?\n"
                    + Json.write(input)
                    + "\nAccept to approve (optionally with an edited input, a JSON object the tool's input schema "
                    + "accepts), decline to deny.");
            ObjectNode schema = params.putObject("requestedSchema");
            schema.put("type", "object");
            ObjectNode edited = schema.putObject("properties").putObject(McpProtocol.EDITED_INPUT);
            edited.put("type", "string");
            edited.put("title", "Edited input (JSON)");
            edited.put("description", "Leave empty to run with the input shown; else the input to run instead");
            return request;
        }

        private void askConnection(RunEvent event) {
            if (!peer.elicitsUrls()) {
                finish(waiting(event, "connection_required",
                        "the run waits for " + server.userId() + " to connect an account to "
                                + event.connect().integrationKey() + " at the link; it goes on once connected",
                        link(event.connect().connectUrl())), event.seq());
                return;
            }
            // the run goes on by itself once the account is connected: keep following it
            connectAsked = connectElicitationId(event);
            if (event.seq() > after) {
                peer.stream().send(connectElicitation(event.connect().integrationKey(), event.connect().connectUrl(),
                        connectAsked), event.seq());
            }
        }

        /** A URL elicitation's id: the same on a resumed stream, so its completion names the one the client had. */
        private String connectElicitationId(RunEvent event) {
            return streamId == null ? UUID.randomUUID().toString() : UUID
                    .nameUUIDFromBytes((streamId + ":" + event.seq()).getBytes(StandardCharsets.UTF_8)).toString();
        }

        private ObjectNode pendingApproval(RunEvent event, String refused) {
            ObjectNode detail = detail("PAUSED", "approval_pending", (refused == null ? "" : refused + "; ")
                    + "the run waits for an approval: approve or deny it "
                    + "with the owner's credentials at the links (or in the console); it goes on once approved");
            RunEvent.ApprovalLinks links = event.approval();
            detail.put("approve", link("/v1/runs/approval?token=" + encode(links.approveToken())));
            detail.put("deny", link("/v1/runs/approval?token=" + encode(links.denyToken())));
            if (links.expiresAt() != null) {
                detail.put("expiresAt", links.expiresAt().toString());
            }
            return toolError(detail);
        }

        private ObjectNode waiting(RunEvent event, String code, String text, String connect) {
            ObjectNode detail = detail("PAUSED", code, text);
            if (event.stepId() != null) {
                detail.put("stepId", event.stepId());
            }
            if (connect != null) {
                detail.put("integrationKey", event.connect().integrationKey());
                detail.put("connect", connect);
            }
            return toolError(detail);
        }

        private ObjectNode detail(String status, String code, String text) {
            ObjectNode detail = mapper.createObjectNode();
            detail.put("runId", runId.toString());
            detail.put("status", status);
            detail.put("code", code);
            detail.put("detail", text);
            return detail;
        }

        private ObjectNode toolError(ObjectNode detail) {
            ObjectNode result = mapper.createObjectNode();
            result.putArray("content").addObject().put("type", "text").put("text", Json.write(detail));
            result.put("isError", true);
            return result;
        }

        private void finish(ObjectNode answer, long seq) {
            if (!result.isDone() && peer.streamed()) {
                peer.stream().answeredAt(seq);
            }
            result.complete(new Ended(answer, seq));
        }
    }

    private record Looked(List<RunEvent> events, McpElicitations.State state) {
    }

    private static boolean refused(String state) {
        return "cancelled".equals(state) || "refused".equals(state);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
