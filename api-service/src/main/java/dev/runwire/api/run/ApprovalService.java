package dev.runwire.api.run;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.action.RunnableActions;
import dev.runwire.api.action.RunnableActions.RunnableAction;
import dev.runwire.api.action.Schemas;
import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.error.Problem;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.error.RunwireException.Malformed;
import dev.runwire.api.error.RunwireException.NotFound;
import dev.runwire.api.outbox.CommandPublisher;
import dev.runwire.api.outbox.OutboxCommand;
import dev.runwire.api.planner.PlanView;
import dev.runwire.model.Topics;
import dev.runwire.model.approval.ApprovalTokens;
import dev.runwire.model.command.ApprovalDecided;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunStatus;

/**
 * Decides the approvals a run asks for. A token is checked (signature, expiry, owner), the decision is recorded once
 * per approval together with its command (one statement: the primary key decides, so a second decision with either
 * token is a no-op that reports the first), and the command reaches the executor holding the run.
 */
@ApplicationScoped
public class ApprovalService {

    private final Pool pool;
    private final RunStore store;
    private final RunnableActions actions;
    private final Schemas schemas;
    private final CommandPublisher publisher;
    private final ApprovalTokens tokens;

    ApprovalService(Pool pool, RunStore store, RunnableActions actions, Schemas schemas, CommandPublisher publisher,
            ApiConfig config) {
        this.pool = pool;
        this.store = store;
        this.actions = actions;
        this.schemas = schemas;
        this.publisher = publisher;
        this.tokens = new ApprovalTokens(config.secrets().key());
    }

    /** What was decided: now, or earlier ({@code alreadyDecided}). */
    public record Decision(UUID runId, String stepId, String decision, boolean alreadyDecided, Instant decidedAt) {
    }

    /** Decides with a token as it is. */
    public Uni<Decision> decide(UUID callerId, String token) {
        ApprovalTokens.Approval approval = verify(callerId, token);
        return earlier(approval).chain(decided -> decided != null ? Uni.createFrom().item(decided)
                : waitingRun(callerId, approval).chain(ignored -> record(callerId, approval, null)));
    }

    /** Approves a step with a changed input, checked against the step's action schema. */
    public Uni<Decision> approveWithEdit(UUID callerId, String token, JsonNode input) {
        ApprovalTokens.Approval approval = verify(callerId, token);
        if (!ApprovalTokens.APPROVE.equals(approval.decision()) || approval.stepId() == null) {
            throw new Invalid("not_an_approve_token", "a changed input goes with the approve token of a step",
                    "/token");
        }
        if (input == null || !input.isObject()) {
            throw new Invalid("invalid_input", "input must be an object", "/input");
        }
        return earlier(approval).chain(decided -> decided != null ? Uni.createFrom().item(decided)
                : approveChecked(callerId, approval, input));
    }

    private Uni<Decision> approveChecked(UUID callerId, ApprovalTokens.Approval approval, JsonNode input) {
        return waitingRun(callerId, approval).chain(plan -> {
            PlanView.Step step = plan.plan().steps().stream().filter(s -> s.id().equals(approval.stepId())).findFirst()
                    .orElseThrow(() -> new NotFound("no step " + approval.stepId()));
            return actions.versions(callerId, List.of(step.action().key())).chain(versions -> {
                RunnableAction action = versions.getOrDefault(step.action().key(), List.of()).stream()
                        .filter(v -> v.version() == step.action().version()).findFirst()
                        .orElseThrow(() -> new NotFound("the step's action version no longer exists"));
                return schemas.inputViolations(action.id(), action.inputSchema(), input, "/input").map(violations -> {
                    if (!violations.isEmpty()) {
                        throw new Invalid(violations.stream()
                                .map(v -> Problem.at("input_invalid", v.message(), "/input" + v.pointer())).toList());
                    }
                    List<Problem> headerValues = RunService.headerValueProblems(RunnableActions.spec(action), input,
                            "/input");
                    if (!headerValues.isEmpty()) {
                        throw new Invalid(headerValues);
                    }
                    return action;
                });
            });
        }).chain(ignored -> record(callerId, approval, input));
    }

    /**
     * The approval a token stands for. Every token that cannot decide anything is the runs API's 400 ("invalid request
     * body or parameters"), each with its own code; another owner's token answers exactly like a forged one, so its
     * run's existence does not leak.
     */
    private ApprovalTokens.Approval verify(UUID callerId, String token) {
        if (token == null || token.isBlank()) {
            throw new Malformed("token is required", ErrorObject.Source.parameter("token"));
        }
        ApprovalTokens.Approval approval;
        try {
            approval = tokens.verify(token);
        } catch (ApprovalTokens.InvalidTokenException e) {
            throw badToken(e.expired() ? "token_expired" : "invalid_token", e.getMessage(), null);
        }
        if (!approval.ownerId().equals(callerId)) {
            throw badToken("invalid_token", "the approval token is not valid", null);
        }
        return approval;
    }

    private static Malformed badToken(String code, String detail, Map<String, Object> meta) {
        return new Malformed(new Problem(code, detail, ErrorObject.Source.parameter("token"), meta));
    }

    /** The run's plan, if the run exists and has not finished. */
    private Uni<PlanView> waitingRun(UUID callerId, ApprovalTokens.Approval approval) {
        return store.run(callerId, approval.runId()).map(run -> {
            if (run == null) {
                // purged after its retention: the token has nothing left to decide
                throw badToken("run_not_found", "no run with id " + approval.runId(), null);
            }
            RunStatus status = run.status();
            if (status.isTerminal()) {
                throw badToken("run_finished", "the run has already finished with status " + status,
                        Map.of("runId", approval.runId(), "status", status.name()));
            }
            return Json.read(run.planJson(), PlanView.class);
        });
    }

    private Uni<Decision> record(UUID ownerId, ApprovalTokens.Approval approval, JsonNode editedInput) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        String stepKey = approval.stepId() == null ? "" : approval.stepId();
        OutboxCommand command = OutboxCommand.of(new ApprovalDecided(approval.runId(), ownerId, approval.stepId(),
                approval.decision(), approval.inputHash(), editedInput, now.toInstant()), ApprovalDecided.TYPE);
        return pool.preparedQuery("""
                with decided as (
                    insert into api.approvals (run_id, step_key, decision, input_hash, edited_input, decided_at)
                    values ($1, $2, $3, $4, $5::text::jsonb, $6)
                    on conflict do nothing
                    returning run_id)
                insert into api.outbox (run_id, topic, msg_type, payload, trace_parent)
                select run_id, $7, $8, $9::text::jsonb, $10 from decided
                returning id""")
                .execute(Tuple.from(new Object[] { approval.runId(), stepKey, approval.decision(), approval.inputHash(),
                        editedInput == null ? null : Json.write(editedInput), now, Topics.RUN_COMMANDS, command.type(),
                        command.json(), command.traceParent() }))
                .chain(rows -> {
                    if (rows.size() == 1) {
                        publisher.publishCommitted(command, rows.iterator().next().getLong(0));
                        return Uni.createFrom().item(new Decision(approval.runId(), approval.stepId(),
                                approval.decision(), false, now.toInstant()));
                    }
                    return earlier(approval);
                });
    }

    /** The decision already taken on this approval, or null. */
    private Uni<Decision> earlier(ApprovalTokens.Approval approval) {
        return pool.preparedQuery("select decision, decided_at from api.approvals where run_id = $1 and step_key = $2")
                .execute(Tuple.of(approval.runId(), approval.stepId() == null ? "" : approval.stepId())).map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    var row = rows.iterator().next();
                    return new Decision(approval.runId(), approval.stepId(), row.getString("decision"), true,
                            row.getOffsetDateTime("decided_at").toInstant());
                });
    }
}
