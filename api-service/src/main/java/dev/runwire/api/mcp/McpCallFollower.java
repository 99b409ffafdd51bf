package dev.runwire.api.mcp;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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

    /** The client of one call: its session (null: none) and its stream (null: answered as one JSON document). */
    record Peer(McpSessions.Session session, Consumer<ObjectNode> stream) {
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
     * Starts following a call's run, right after the run is committed.
     *
     * @param render
     *            the tool result of the run's terminal event (null: the run is still going)
     */
    Following follow(McpServer server, Peer peer, JsonNode progressToken, String tool, JsonNode input, UUID runId,
            Function<RunEvent, ObjectNode> render) {
        return follow(server, peer, progressToken, tool, input, runId, render, false);
    }

    /**
     * Follows a run, also one that exists already (a retried call with its idempotency key): then the store is read at
     * once, since what happened so far is no longer on the broadcast.
     */
    Following follow(McpServer server, Peer peer, JsonNode progressToken, String tool, JsonNode input, UUID runId,
            Function<RunEvent, ObjectNode> render, boolean existing) {
        Following following = new Following(server, peer, progressToken, tool, input, runId, render);
        following.start(existing);
        return following;
    }

    /** An absolute link on this service. */
    String link(String path) {
        return publicUrl.replaceAll("/+$", "") + path;
    }

    /** A URL-mode elicitation (2025-11-25) asking the user to connect an account at the link. */
    ObjectNode connectElicitation(String integrationKey, String connectPath) {
        ObjectNode request = mapper.createObjectNode();
        request.put("jsonrpc", "2.0");
        request.put("id", "rwc_" + UUID.randomUUID());
        request.put("method", "elicitation/create");
        ObjectNode params = request.putObject("params");
        params.put("mode", "url");
        params.put("elicitationId", UUID.randomUUID().toString());
        params.put("url", link(connectPath));
        params.put("message",
                "Connect an account to " + integrationKey
                        + " for this tool to run. A run already waiting for it goes on once the account is connected; "
                        + "otherwise call the tool again.");
        return request;
    }

    /** One call's following. Its state is touched on one Vert.x context only. */
    final class Following {

        private final McpServer server;
        private final Peer peer;
        private final JsonNode progressToken;
        private final String tool;
        private final JsonNode input;
        private final UUID runId;
        private final Function<RunEvent, ObjectNode> render;
        private final Context context = vertx.getOrCreateContext();
        private final CompletableFuture<ObjectNode> result = new CompletableFuture<>();
        private final Set<Long> seen = new HashSet<>();
        private final Consumer<StreamedEvent> listener = streamed -> context.runOnContext(v -> take(streamed.event()));
        private long contiguous;
        private long timer = -1;
        private double progress;
        private int stepsDone;
        private boolean looking;
        private UUID asked;
        private RunEvent approvalAsked;

        private Following(McpServer server, Peer peer, JsonNode progressToken, String tool, JsonNode input, UUID runId,
                Function<RunEvent, ObjectNode> render) {
            this.server = server;
            this.peer = peer;
            this.progressToken = progressToken;
            this.tool = tool;
            this.input = input;
            this.runId = runId;
            this.render = render;
        }

        private void start(boolean existing) {
            feed.listen(runId, listener);
            context.runOnContext(v -> {
                if (!result.isDone()) {
                    timer = vertx.setPeriodic(LOOK.toMillis(), id -> look());
                    if (existing) {
                        look();
                    }
                }
            });
        }

        /** The tool result, once the call can be answered, or the still-running one after {@code wait}. */
        Uni<ObjectNode> outcome(Duration wait) {
            return Uni.createFrom().completionStage(result).ifNoItem().after(wait)
                    .recoverWithItem(() -> render.apply(null));
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
                        looked.events().forEach(this::take);
                        McpElicitations.State state = looked.state();
                        if (state != null && ("cancelled".equals(state.state()) || "refused".equals(state.state()))
                                && approvalAsked != null) {
                            finish(pendingApproval(approvalAsked, state.detail()));
                        }
                    }), failure -> context.runOnContext(v -> {
                        looking = false;
                        LOG.debugf("run %s: the store could not be read (%s); the broadcast still counts", runId,
                                failure.getClass().getSimpleName());
                    }));
        }

        private void take(RunEvent event) {
            if (result.isDone() || !seen.add(event.seq())) {
                return;
            }
            while (seen.contains(contiguous + 1)) {
                contiguous++;
            }
            switch (event.type()) {
            case STEP_STARTED -> progress(stepsDone + 0.5, "step " + event.stepId() + " started");
            case STEP_SUCCEEDED, STEP_FAILED, STEP_SKIPPED, STEP_CANCELED -> {
                stepsDone++;
                progress(stepsDone, "step " + event.stepId() + " " + ended(event));
            }
            case RUN_APPROVAL_REQUESTED, STEP_APPROVAL_REQUESTED -> {
                if (event.approval() != null) {
                    askApproval(event);
                }
            }
            case RUN_AUTH_REQUIRED, STEP_AUTH_REQUIRED -> {
                if (event.connect() != null) {
                    askConnection(event);
                }
            }
            case STEP_OUTCOME_UNKNOWN -> finish(waiting(event, "outcome_unknown",
                    "the step's call may or may not have taken effect; the run waits until it is resolved with POST "
                            + link("/v1/runs/" + runId + "/resolve"),
                    null));
            default -> {
                if (event.type().isTerminal()) {
                    finish(render.apply(event));
                }
            }
            }
        }

        private String ended(RunEvent event) {
            return event.type().name().substring("STEP_".length()).toLowerCase(Locale.ROOT);
        }

        /** A progress notification, when asked for one and it moves forward (the protocol wants it increasing). */
        private void progress(double value, String message) {
            if (progressToken == null || !peer.streamed() || value <= progress) {
                return;
            }
            progress = value;
            ObjectNode notification = mapper.createObjectNode();
            notification.put("jsonrpc", "2.0");
            notification.put("method", "notifications/progress");
            ObjectNode params = notification.putObject("params");
            params.set("progressToken", progressToken);
            params.put("progress", value);
            params.put("total", 1);
            params.put("message", message);
            peer.stream().accept(notification);
        }

        private void askApproval(RunEvent event) {
            approvalAsked = event;
            if (!peer.elicitsForms()) {
                finish(pendingApproval(event, null));
                return;
            }
            RunEvent.ApprovalLinks links = event.approval();
            elicitations
                    .open(server, peer.session().id(), runId, event.stepId(), links.approveToken(), links.denyToken())
                    .subscribe().with(id -> context.runOnContext(v -> {
                        if (result.isDone()) {
                            return;
                        }
                        asked = id;
                        peer.stream().accept(approvalElicitation(id));
                    }), failure -> context.runOnContext(v -> {
                        LOG.warnf("run %s: the approval could not be asked in-band (%s); answered with its links",
                                runId, failure.getClass().getSimpleName());
                        finish(pendingApproval(event, null));
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
                        link(event.connect().connectUrl())));
                return;
            }
            // the run goes on by itself once the account is connected: keep following it
            peer.stream().accept(connectElicitation(event.connect().integrationKey(), event.connect().connectUrl()));
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

        private void finish(ObjectNode answer) {
            result.complete(answer);
        }
    }

    private record Looked(List<RunEvent> events, McpElicitations.State state) {
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
