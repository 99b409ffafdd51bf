package dev.runwire.executor.credential;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import dev.runwire.executor.integration.PassThrough;
import dev.runwire.executor.plan.Changes;
import dev.runwire.executor.plan.PlanScheduler;
import dev.runwire.executor.plan.PlanState;
import dev.runwire.executor.plan.PlanState.Step;
import dev.runwire.executor.plan.RunEvents;
import dev.runwire.executor.plan.RunState;
import dev.runwire.model.command.ConnectionProvided;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.run.StepStatus;

/**
 * A run's credentials and the AUTH_REQUIRED wait: its pass-through data opened (or the run failed when it cannot be), a
 * step whose integration refused its credentials (or whose token ends too soon) waiting for a new connection, a
 * connection provided letting those steps go on, and a run that waited too long failing. See
 * docs/adr/0020-connected-accounts.md and docs/adr/0023-oauth2-and-refused-credentials.md.
 */
public final class RunCredentials {

    private static final Logger LOG = Logger.getLogger(RunCredentials.class);

    private final PassThrough.Opener opener;
    private final PlanScheduler scheduler;
    private final Duration refreshSkew;

    public RunCredentials(PassThrough.Opener opener, PlanScheduler scheduler, Duration refreshSkew) {
        this.opener = opener;
        this.scheduler = scheduler;
        this.refreshSkew = refreshSkew;
    }

    /** The request's pass-through data, or null when it cannot be opened. */
    public List<PassThrough> ofRequest(RunState run) {
        return readable(run, () -> opener.open(run.command()));
    }

    /**
     * The run's pass-through data: the request's, then the connections provided since it was accepted (a later entry
     * wins, so a new connection replaces credentials the integration refused); null when it cannot be opened.
     */
    public List<PassThrough> ofRun(RunState run) {
        return readable(run, () -> {
            List<PassThrough> all = new ArrayList<>(opener.open(run.command()));
            run.plan().connections().values().forEach(sealed -> all.addAll(opener.open(sealed, run.runId())));
            return all;
        });
    }

    /**
     * The pass-through data, or null when it cannot be opened: sealed under a key this executor does not have (removed
     * after a rotation, or never configured here), or damaged. Such a run can never call anything.
     */
    private static List<PassThrough> readable(RunState run, Supplier<List<PassThrough>> open) {
        try {
            return open.get();
        } catch (IllegalStateException e) {
            LOG.warnf("run %s: its pass-through data cannot be opened (%s); the run fails", run.runId(),
                    e.getMessage());
            return null;
        }
    }

    /** Ends a run whose pass-through data cannot be opened: FAILED with the reason, nothing more is called. */
    public void failUnreadable(Changes changes) {
        RunState run = changes.run();
        PlanState plan = changes.plan();
        RunError error = RunError.of(Codes.PASS_THROUGH_UNREADABLE,
                "the run's credentials cannot be opened with the keys this executor has (see key rotation)");
        for (String stepId : new ArrayList<>(plan.stepIds())) {
            StepStatus current = plan.step(stepId).status();
            if (current == StepStatus.PENDING) {
                changes.step(stepId, new Step(StepStatus.SKIPPED, null, null, error));
                changes.emit(RunEvents.stepSkipped(run.step(stepId), error));
            } else if (!current.isTerminal()) {
                changes.cancel(stepId);
                changes.step(stepId, new Step(StepStatus.FAILED, null, null, error));
                changes.emit(RunEvents.stepFailed(run.step(stepId), error));
            }
        }
        run.passThrough(List.of());
        changes.move(RunStatus.FAILED);
        changes.emit(RunEvents.runFailed(error));
    }

    /**
     * Whether a connection carries no newer credentials than the ones the integration refused (a command sent again,
     * e.g. for a refusal event re-published when the run resumed): using them again would only be refused again.
     */
    private boolean stale(RunState run, ConnectionProvided connection) {
        RunRequested.Connection refusal = run.plan().refusal(connection.integrationKey());
        if (refusal == null || refusal.accountId() == null || refusal.credentialsVersion() == null) {
            return false;
        }
        List<PassThrough> provided = readable(run, () -> opener.open(connection.passThrough(), run.runId()));
        boolean stale = provided != null
                && provided.stream().filter(entry -> refusal.accountId().equals(entry.accountId()))
                        .allMatch(entry -> entry.credentialsVersion() != null
                                && entry.credentialsVersion() <= refusal.credentialsVersion())
                && provided.stream().anyMatch(entry -> refusal.accountId().equals(entry.accountId()));
        if (stale) {
            LOG.infof("run %s: credentials for %s no newer than the refused ones changed nothing", run.runId(),
                    connection.integrationKey());
        }
        return stale;
    }

    /** Records a connection and lets the steps that waited for it go on; a repeated or stale one changes nothing. */
    public void apply(Changes changes, ConnectionProvided connection) {
        RunState run = changes.run();
        PlanState plan = changes.plan();
        if (run.status().isTerminal() || plan.connected(connection.integrationKey()) || stale(run, connection)) {
            return;
        }
        plan.connect(connection.integrationKey(), connection.passThrough());
        List<PassThrough> opened = ofRun(run);
        if (opened == null) {
            failUnreadable(changes);
            return;
        }
        run.passThrough(opened);
        LOG.infof("run %s: connected to %s", run.runId(), connection.integrationKey());
        for (String stepId : plan.withStatus(StepStatus.AWAITING_CONNECTION)) {
            PlanStep step = run.step(stepId);
            if (step.action().http().integrationKey().equals(connection.integrationKey())) {
                changes.step(stepId, Step.PENDING);
                changes.emit(RunEvents.stepConnected(step));
            }
        }
        scheduler.advance(changes);
    }

    /**
     * The integration refused the credentials the step's call carried: the step waits for a new connection, naming the
     * account and the version that was refused (the api-service refreshes an OAuth 2 token, or marks the account
     * expired).
     */
    public void refused(Changes changes, PlanStep step, RunError error) {
        RunState run = changes.run();
        PlanState plan = changes.plan();
        String key = step.action().http().integrationKey();
        PassThrough used = PassThrough.accountFor(run.passThrough(), key);
        String reason = Codes.CREDENTIALS_EXPIRED.equals(error.code()) ? RunRequested.Connection.CREDENTIALS_EXPIRED
                : RunRequested.Connection.CREDENTIALS_INVALID;
        RunRequested.Connection refusal = new RunRequested.Connection(key,
                RunRequested.Connection.urlFor(key, run.command().userId()), reason,
                used == null ? null : used.accountId(), used == null ? null : used.credentialsVersion());
        plan.refuse(refusal);
        changes.step(step.stepId(),
                new Step(StepStatus.AWAITING_CONNECTION, plan.step(step.stepId()).input(), null, error));
        changes.emit(RunEvents.stepAuthRequired(step, plan.step(step.stepId()).input(), error, refusal));
        LOG.infof("run %s: %s refused the credentials of step %s; it waits for a connection", run.runId(), key,
                step.stepId());
    }

    /**
     * Before a step's call: when the account's token would end during it, a refreshed one comes first (once per step,
     * so a provider whose tokens always end soon cannot loop). The step then waits for the new connection.
     *
     * @return whether the step waits instead of being called
     */
    public boolean refreshFirst(Changes changes, PlanStep step) {
        if (!expiresSoon(changes.run(), step, changes.clock().instant())
                || !changes.run().firstRefreshFor(step.stepId())) {
            return false;
        }
        refused(changes, step, RunError.of(Codes.CREDENTIALS_EXPIRED,
                "the connected account's access token ends before the call; it is refreshed first"));
        scheduler.advance(changes);
        return true;
    }

    /** Whether the account credentials the step would carry end within the refresh skew. */
    boolean expiresSoon(RunState run, PlanStep step, Instant now) {
        if (step.action().http() == null) {
            return false;
        }
        PassThrough used = PassThrough.accountFor(run.passThrough(), step.action().http().integrationKey());
        return used != null && used.accountId() != null && used.expiresAt() != null
                && used.expiresAt().isBefore(now.plus(refreshSkew));
    }

    /**
     * The run waited too long for a connection: its waiting steps fail, those awaiting approval are cancelled, pending
     * ones skipped, and it ends FAILED with the reason. A run no longer waiting for a connection is left as it is.
     */
    public void expire(Changes changes) {
        RunState run = changes.run();
        PlanState plan = changes.plan();
        if (run.status() != RunStatus.AUTH_REQUIRED) {
            return;
        }
        List<String> awaited = plan.withStatus(StepStatus.AWAITING_CONNECTION).stream()
                .map(stepId -> run.step(stepId).action().http().integrationKey()).distinct().sorted().toList();
        RunError error = RunError.of(Codes.AUTH_REQUIRED_TIMEOUT,
                "no account was connected for " + awaited + " in the time a run may wait for one");
        for (String stepId : plan.withStatus(StepStatus.AWAITING_CONNECTION)) {
            changes.step(stepId, new Step(StepStatus.FAILED, plan.step(stepId).input(), null, error));
            changes.emit(RunEvents.stepFailed(run.step(stepId), error));
        }
        for (String stepId : plan.withStatus(StepStatus.AWAITING_APPROVAL)) {
            changes.step(stepId, new Step(StepStatus.CANCELED, plan.step(stepId).input(), null, error));
            changes.emit(RunEvents.stepCanceled(run.step(stepId), error));
        }
        for (String stepId : plan.withStatus(StepStatus.OUTCOME_UNKNOWN)) {
            // its call happened or not: the run ends without anybody having said, so it stays unknown
            RunError unknown = RunError.of(Codes.OUTCOME_UNKNOWN,
                    "the run ended (" + error.code() + ") before the call's unknown outcome was resolved");
            changes.step(stepId, new Step(StepStatus.FAILED, plan.step(stepId).input(), null, unknown));
            changes.emit(RunEvents.stepFailed(run.step(stepId), unknown));
        }
        for (String stepId : plan.withStatus(StepStatus.PENDING)) {
            changes.step(stepId, new Step(StepStatus.SKIPPED, null, null, error));
            changes.emit(RunEvents.stepSkipped(run.step(stepId), error));
        }
        changes.move(RunStatus.FAILED);
        changes.emit(RunEvents.runFailed(error));
    }
}
