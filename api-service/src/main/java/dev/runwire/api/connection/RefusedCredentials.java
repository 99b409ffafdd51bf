package dev.runwire.api.connection;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import dev.runwire.model.command.RunRequested;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;

/**
 * What follows when an integration refused the credentials a step carried (a {@code STEP_AUTH_REQUIRED} with reason
 * {@code credentials_invalid}): the run is marked as waiting for the integration; then, under the account's row lock,
 * credentials newer than the refused version are handed to the run, an OAuth 2 token is refreshed once (however many
 * runs report the same version), and anything a refresh cannot fix marks the account expired, so the run waits in
 * AUTH_REQUIRED until its user reconnects (or its time runs out). See docs/adr/0023-oauth2-and-refused-credentials.md.
 */
@ApplicationScoped
public class RefusedCredentials {

    private static final Logger LOG = Logger.getLogger(RefusedCredentials.class);

    private final ConnectedAccounts accounts;
    private final RunConnections runs;
    private final TokenRefresher refresher;

    RefusedCredentials(ConnectedAccounts accounts, TokenRefresher refresher, RunConnections runs) {
        this.refresher = refresher;
        this.accounts = accounts;
        this.runs = runs;
    }

    /** Handles the refusals among stored events, one after another; a failure is logged and leaves the run waiting. */
    public Uni<Void> onStored(List<RunEvent> events) {
        List<RunEvent> refusals = events.stream().filter(RefusedCredentials::isRefusal).toList();
        if (refusals.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().iterable(refusals).onItem()
                .transformToUniAndConcatenate(event -> handle(event).onFailure().recoverWithItem(failure -> {
                    LOG.warnf("run %s: the refused credentials of %s could not be renewed (%s); the run waits",
                            event.runId(), event.connect().integrationKey(), failure.getClass().getSimpleName());
                    return null;
                })).collect().last().replaceWithVoid();
    }

    private static boolean isRefusal(RunEvent event) {
        return event.type() == RunEventType.STEP_AUTH_REQUIRED && event.connect() != null
                && (RunRequested.Connection.CREDENTIALS_INVALID.equals(event.connect().reason())
                        || RunRequested.Connection.CREDENTIALS_EXPIRED.equals(event.connect().reason()));
    }

    private Uni<Void> handle(RunEvent event) {
        RunRequested.Connection refusal = event.connect();
        String key = refusal.integrationKey();
        return runs.awaiting(event.runId(), key).chain(run -> {
            if (run == null || refusal.accountId() == null) {
                // an unknown run, or the caller's own pass-through credentials: only the user can give new ones
                return Uni.createFrom().voidItem();
            }
            return accounts
                    .scheme(run.ownerId(),
                            key)
                    .chain(scheme -> scheme == null ? Uni.createFrom().nullItem()
                            : refresher
                                    .usable(run.ownerId(), refusal.accountId(), scheme, refusal.credentialsVersion(),
                                            RunRequested.Connection.CREDENTIALS_EXPIRED.equals(refusal.reason()))
                                    .chain(usable -> usable == null
                                            || java.util.Objects.equals(usable.version(), refusal.credentialsVersion())
                                                    ? Uni.createFrom().voidItem()
                                                    : runs.provide(run.ownerId(), event.runId(), key,
                                                            ConnectedAccounts.entry(scheme, usable))
                                                            .replaceWithVoid()));
        }).replaceWithVoid();
    }
}
